// One Chromium serves every browser test; they run one at a time so that the 2-core CI machine is not swamped.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
