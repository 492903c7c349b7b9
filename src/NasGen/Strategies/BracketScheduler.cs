namespace NasGen.Strategies;

/// <summary>The shape of one successive-halving bracket: its first rung's size and how many rungs it has.</summary>
/// <param name="Configurations">Random architectures in the first rung.</param>
/// <param name="Rungs">Number of rungs; the last one runs at fidelity 1.</param>
internal readonly record struct BracketPlan(int Configurations, int Rungs);

/// <summary>
/// Runs successive-halving brackets (Jamieson and Talwalkar 2016; Li et al. 2018) for
/// <see cref="SuccessiveHalving{TArchitecture}"/> and <see cref="Hyperband{TArchitecture}"/>. Rung i of a bracket with
/// s + 1 rungs has ⌊n/ηⁱ⌋ members at fidelity η^(i−s); when every member of a rung is told, the best ⌊n/η^(i+1)⌋
/// successful ones are promoted to the next rung.
/// </summary>
internal sealed class BracketScheduler<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ISearchSpace<TArchitecture> _space;
    private readonly Random _random;
    private readonly int _eta;
    private readonly Func<int, BracketPlan> _planOfBracket;
    private readonly bool _proposeAhead;
    private readonly ProposalLog<TArchitecture> _sampled;
    private readonly List<Bracket> _open = new();
    private readonly OutstandingSuggestions<TArchitecture, (Bracket Bracket, Member Member)> _outstanding = new();
    private int _bracketsStarted;

    public BracketScheduler(ISearchSpace<TArchitecture> space, int eta, Func<int, BracketPlan> planOfBracket, bool proposeAhead, int seed)
    {
        _space = space;
        _random = new Random(seed);
        _eta = eta;
        _planOfBracket = planOfBracket;
        _proposeAhead = proposeAhead;
        _sampled = new ProposalLog<TArchitecture>(space);
    }

    /// <summary>How many brackets have been started.</summary>
    public int BracketsStarted => _bracketsStarted;

    public Suggestion<TArchitecture>? Ask()
    {
        foreach (var bracket in _open)
        {
            var suggestion = TryIssue(bracket);
            if (suggestion is not null) return suggestion;
        }
        if (_open.Count > 0 && !_proposeAhead) return null; // wait for the open bracket's rung to complete
        var started = StartBracket();
        return TryIssue(started);
    }

    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        if (!_outstanding.TryTake(suggestion, out var slot)) return; // not ours (or told twice): nothing to update
        var (bracket, member) = slot;
        member.Fitness = outcome.Failed ? null : outcome.Fitness;
        member.Told = true;
        var rung = bracket.Rungs[bracket.Current];
        if (rung.Members.All(m => m.Told)) Promote(bracket);
    }

    private Suggestion<TArchitecture>? TryIssue(Bracket bracket)
    {
        var rung = bracket.Rungs[bracket.Current];
        if (rung.Issued == rung.Members.Count) return null;
        var member = rung.Members[rung.Issued++];
        var suggestion = new Suggestion<TArchitecture>(member.Architecture, rung.Fidelity);
        _outstanding.Add(suggestion, (bracket, member));
        return suggestion;
    }

    private Bracket StartBracket()
    {
        var plan = _planOfBracket(_bracketsStarted++);
        int s = plan.Rungs - 1;
        var rungs = new Rung[plan.Rungs];
        for (int i = 0; i < rungs.Length; i++)
        {
            // Fidelity η^(i−s) exactly 1 at the top rung; sizes ⌊n / ηⁱ⌋ (at least one member).
            double fidelity = i == s ? 1.0 : Math.Pow(_eta, i - s);
            int size = Math.Max(1, (int)(plan.Configurations / Math.Pow(_eta, i)));
            rungs[i] = new Rung(fidelity, size);
        }
        for (int i = 0; i < plan.Configurations; i++)
        {
            // New architectures first; once the space is used up, brackets re-sample it.
            var architecture = _sampled.SampleUnproposed(_random) ?? _space.Sample(_random);
            _sampled.Add(architecture);
            rungs[0].Members.Add(new Member(architecture));
        }
        var bracket = new Bracket(rungs);
        _open.Add(bracket);
        return bracket;
    }

    private void Promote(Bracket bracket)
    {
        var rung = bracket.Rungs[bracket.Current];
        if (bracket.Current + 1 == bracket.Rungs.Length)
        {
            _open.Remove(bracket);
            return;
        }
        var next = bracket.Rungs[bracket.Current + 1];
        // Stable order: among equal fitness, the member issued first wins.
        var promoted = rung.Members.Where(m => m.Fitness is not null)
            .OrderByDescending(m => m.Fitness!.Value)
            .Take(next.Size)
            .Select(m => new Member(m.Architecture))
            .ToList();
        if (promoted.Count == 0)
        {
            _open.Remove(bracket); // every member failed: nothing to promote
            return;
        }
        next.Members.AddRange(promoted);
        bracket.Current++;
    }

    private sealed class Bracket(Rung[] rungs)
    {
        public Rung[] Rungs { get; } = rungs;
        public int Current { get; set; }
    }

    private sealed class Rung(double fidelity, int size)
    {
        public double Fidelity { get; } = fidelity;
        public int Size { get; } = size;
        public List<Member> Members { get; } = new();
        public int Issued { get; set; }
    }

    private sealed class Member(TArchitecture architecture)
    {
        public TArchitecture Architecture { get; } = architecture;
        public double? Fitness { get; set; }
        public bool Told { get; set; }
    }
}
