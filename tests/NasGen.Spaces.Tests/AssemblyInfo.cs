// libtorch keeps native global state: tests in this assembly run one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
