using System.Text;
using Microsoft.CodeAnalysis.Text;
using NasGen.Export;

namespace NasGen.Generators;

internal sealed partial class TemplateBuilder
{
    // ---- Conditions on value choices -------------------------------------------------------------------------------

    private Condition? ToCondition(ExpressionSyntax expression)
    {
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return ToCondition(parenthesized.Expression);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not:
                return ToCondition(not.Operand) is Condition operand ? new Condition { Kind = ConditionKind.Not, Operands = { operand } } : null;
            case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression or (int)SyntaxKind.LogicalOrExpression } logical:
                var left = ToCondition(logical.Left);
                var right = left is null ? null : ToCondition(logical.Right);
                if (right is null) return null;
                return new Condition { Kind = logical.IsKind(SyntaxKind.LogicalAndExpression) ? ConditionKind.And : ConditionKind.Or, Operands = { left!, right } };
            case BinaryExpressionSyntax comparison:
                if (ValueChoiceOf(comparison.Left) is int l)
                    return Matching(l, comparison.Right, comparison.OperatorToken.Kind()) is List<int> codes ? Atom(l, codes) : null;
                if (ValueChoiceOf(comparison.Right) is int r)
                    return Matching(r, comparison.Left, Flip(comparison.OperatorToken.Kind())) is List<int> flipped ? Atom(r, flipped) : null;
                return null;
            default:
                if (ValueChoiceOf(expression) is int b && _choices[b].ValueType == "bool")
                    return Atom(b, Enumerable.Range(0, _choices[b].Candidates.Count).Where(i => _choices[b].Candidates[i].Name == "true").ToList());
                return null;
        }
    }

    private int? ValueChoiceOf(ExpressionSyntax expression) => ChoiceOf(expression, ChoiceModelKind.Value);

    // The candidates of value choice `choice` for which `candidate <op> constant` holds; null when not decidable.
    private List<int>? Matching(int choice, ExpressionSyntax constantExpression, SyntaxKind op)
    {
        var model = _choices[choice];
        object? constant;
        if (model.NamedValues)
        {
            // An enum member: compare names (only == and != mean something without the underlying values).
            if (_model.GetSymbolInfo(constantExpression, _cancellationToken).Symbol is not IFieldSymbol { ContainingType.TypeKind: TypeKind.Enum } member
                || op is not (SyntaxKind.EqualsEqualsToken or SyntaxKind.ExclamationEqualsToken)) return null;
            constant = member.Name;
        }
        else
        {
            var value = _model.GetConstantValue(constantExpression, _cancellationToken);
            if (!value.HasValue) return null;
            constant = value.Value;
        }
        if (op is not (SyntaxKind.EqualsEqualsToken or SyntaxKind.ExclamationEqualsToken or SyntaxKind.LessThanToken
            or SyntaxKind.LessThanEqualsToken or SyntaxKind.GreaterThanToken or SyntaxKind.GreaterThanEqualsToken)) return null;
        var codes = new List<int>();
        for (int i = 0; i < model.Candidates.Count; i++)
        {
            int? comparison = Compare(model, model.Candidates[i], constant);
            if (comparison is null) return null;
            bool holds = op switch
            {
                SyntaxKind.EqualsEqualsToken => comparison == 0,
                SyntaxKind.ExclamationEqualsToken => comparison != 0,
                SyntaxKind.LessThanToken => comparison < 0,
                SyntaxKind.LessThanEqualsToken => comparison <= 0,
                SyntaxKind.GreaterThanToken => comparison > 0,
                _ => comparison >= 0, // >=, the only operator left
            };
            if (holds) codes.Add(i);
        }
        return codes;
    }

    private static int? Compare(ChoiceModel model, CandidateModel candidate, object? constant)
    {
        if (model.NamedValues) return constant is string name ? (candidate.Name == name ? 0 : 1) : null;
        switch (model.ValueType)
        {
            case "bool":
                return constant is bool b ? ((candidate.Name == "true") == b ? 0 : 1) : null;
            case "string":
                return constant is string s ? string.CompareOrdinal(candidate.Name.Substring(2), s) : null;
            default:
                if (constant is null or bool or string or char) return null;
                double value = Convert.ToDouble(constant, CultureInfo.InvariantCulture);
                double own = double.Parse(candidate.Name, NumberStyles.Float, CultureInfo.InvariantCulture);
                return own.CompareTo(value);
        }
    }

    private static SyntaxKind Flip(SyntaxKind op) => op switch
    {
        SyntaxKind.LessThanToken => SyntaxKind.GreaterThanToken,
        SyntaxKind.LessThanEqualsToken => SyntaxKind.GreaterThanEqualsToken,
        SyntaxKind.GreaterThanToken => SyntaxKind.LessThanToken,
        SyntaxKind.GreaterThanEqualsToken => SyntaxKind.LessThanEqualsToken,
        _ => op,
    };

    private static Condition Atom(int choice, List<int> codes) => new() { Kind = ConditionKind.Atom, Choice = choice, Codes = codes };

    private static Condition Always() => new() { Kind = ConditionKind.And };
}
