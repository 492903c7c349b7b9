using System.Numerics;

namespace NasGen.Strategies;

/// <summary>
/// The dense linear algebra of the Gaussian process: Cholesky factorization, the inverse from the factor and the
/// triangular solves, on row-major n × n arrays of which only the lower triangle is read or written.
/// </summary>
internal static class DenseLinearAlgebra
{
    /// <summary>In-place Cholesky of the lower triangle (row-major n × n); false when not positive definite (the matrix is then partly overwritten).</summary>
    public static bool Cholesky(double[] a, int n)
    {
        for (int i = 0; i < n; i++)
        {
            var rowI = a.AsSpan(i * n, n);
            for (int j = 0; j <= i; j++)
            {
                double s = rowI[j] - Dot(rowI[..j], a.AsSpan(j * n, j));
                if (i == j)
                {
                    if (!(s > 0)) return false;
                    rowI[i] = Math.Sqrt(s);
                }
                else
                {
                    rowI[j] = s / a[j * n + j];
                }
            }
        }
        return true;
    }

    /// <summary>
    /// The lower triangle (diagonal included) of (L Lᵀ)⁻¹ from the lower-triangular Cholesky factor L (row-major
    /// n × n), in <paramref name="inverse"/>; <paramref name="u"/> (n × n) is scratch.
    /// </summary>
    public static void InverseFromCholesky(double[] l, int n, double[] u, double[] inverse)
    {
        // Row j of u, from index j on, is column j of L⁻¹ (which is zero above j): L x = e_j by forward substitution
        // from row j. Then (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹ has entry (i, j) = u_i · u_j, a contiguous dot product over the indices
        // both rows hold; the entries before a row's own index are never written or read (stale in a reused buffer).
        for (int j = 0; j < n; j++)
        {
            var column = u.AsSpan(j * n, n);
            column[j] = 1 / l[j * n + j];
            for (int i = j + 1; i < n; i++)
                column[i] = -Dot(l.AsSpan(i * n + j, i - j), column[j..i]) / l[i * n + i];
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                int from = Math.Max(i, j); // column j of L⁻¹ is zero before j, column i before i
                inverse[i * n + j] = Dot(u.AsSpan(i * n + from, n - from), u.AsSpan(j * n + from, n - from));
            }
        }
    }

    /// <summary>Solves L x = b in place for the leading b.Length rows of L (row-major, <paramref name="stride"/> per row).</summary>
    public static void ForwardSubstitute(double[] l, int stride, Span<double> b)
    {
        for (int i = 0; i < b.Length; i++)
            b[i] = (b[i] - Dot(l.AsSpan(i * stride, i), b[..i])) / l[i * stride + i];
    }

    /// <summary>Solves Lᵀ x = b in place.</summary>
    public static void BackSubstitute(double[] l, int n, Span<double> b)
    {
        // Column by column from the last: once x_i is known, it is removed from the equations above it, which reads
        // row i of L (contiguous) instead of column i.
        for (int i = n - 1; i >= 0; i--)
        {
            double x = b[i] / l[i * n + i];
            b[i] = x;
            var row = l.AsSpan(i * n, i);
            for (int k = 0; k < i; k++) b[k] -= row[k] * x;
        }
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<double>.Count)
        {
            var accumulator = Vector<double>.Zero;
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
                accumulator += new Vector<double>(a[i..]) * new Vector<double>(b[i..]);
            sum = Vector.Sum(accumulator);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
