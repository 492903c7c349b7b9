namespace NasGen.OneShot;

/// <summary>How the mixed choices of a supernet combine their candidates in a forward pass.</summary>
public enum SupernetMode
{
    /// <summary>
    /// DARTS (Liu et al., 2019, eq. 1): every candidate is computed and weighted by <c>softmax(alpha)</c>.
    /// Memory grows with the number of candidates.
    /// </summary>
    Weighted,

    /// <summary>
    /// GDAS (Dong &amp; Yang, 2019): one candidate per choice is sampled with the Gumbel-max trick and only it is
    /// computed; its weight is exactly 1 in the forward pass while gradients reach <c>alpha</c> through the
    /// Gumbel-softmax relaxation (straight-through estimator).
    /// </summary>
    Gumbel,

    /// <summary>SPOS (Guo et al., 2020): a single path drawn uniformly (<see cref="SupernetContext.SamplePath"/>).</summary>
    UniformPath,

    /// <summary>ENAS (Pham et al., 2018): a single path chosen by a controller (<see cref="SupernetContext.SetPath(System.ReadOnlySpan{int})"/>).</summary>
    ControlledPath,

    /// <summary>One path set by the caller (<see cref="SupernetContext.SetPath(System.ReadOnlySpan{int})"/>): the supernet behaves as that fixed network.</summary>
    Fixed,
}
