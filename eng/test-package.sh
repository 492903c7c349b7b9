#!/usr/bin/env bash
# Package integration test: packs NasGen (and the nasgen tool, and the NasGen.Spaces hub) into a local folder feed, restores a throwaway
# consumer project (tests/PackageConsumer) whose NuGet.config takes NasGen from that feed only, builds it (the
# generator runs from the package, the TorchSharp native fix from its buildTransitive targets) and runs a short
# search; then installs the nasgen tool from the feed and reads the store the search wrote; then installs the
# `dotnet new nasgen-search` template from the feed, scaffolds a project, builds it, runs its test and a short search.
# Prints "package test: passed" as its last line and exits 0 when everything held.
set -euo pipefail

cd "$(dirname "$0")/.."
root="$PWD"
work="$root/artifacts/package-test"
feed="$work/feed"
rm -rf "$work"
mkdir -p "$feed"

fail() {
  echo "package test: $1" >&2
  echo "package test: failed"
  exit 1
}

# A version no cache can hold: an older NasGen from any NuGet cache is never what gets tested.
suffix="pkgtest.$(date +%Y%m%d%H%M%S).$$"
prefix=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props | head -n 1)
[[ -n "$prefix" ]] || fail "no VersionPrefix in Directory.Build.props"
version="$prefix-$suffix"
# The tool manifest the README's `dotnet tool run nasgen` uses must name the version Directory.Build.props builds.
grep -q "\"version\": \"$prefix\"" .config/dotnet-tools.json || fail ".config/dotnet-tools.json does not name NasGen.Cli $prefix (the VersionPrefix)"
echo "package test: packing NasGen $version into $feed"
dotnet pack src/NasGen/NasGen.csproj -c Release -o "$feed" -p:VersionSuffix="$suffix" || fail "dotnet pack src/NasGen failed"
dotnet pack src/NasGen.Cli/NasGen.Cli.csproj -c Release -o "$feed" -p:VersionSuffix="$suffix" || fail "dotnet pack src/NasGen.Cli failed"
[[ -f "$feed/NasGen.$version.nupkg" ]] || fail "NasGen.$version.nupkg was not written"

# The package layout users depend on.
listing=$(unzip -l "$feed/NasGen.$version.nupkg")
for entry in lib/net8.0/NasGen.dll lib/net8.0/NasGen.Abstractions.dll analyzers/dotnet/cs/NasGen.Generators.dll analyzers/dotnet/cs/NasGen.CodeFixes.dll \
             analyzers/dotnet/cs/NasGen.Abstractions.dll buildTransitive/NasGen.targets \
             buildTransitive/NasGen.TorchSharpNativeFix.targets README.md LICENSE; do
  grep -q " $entry\$" <<<"$listing" || fail "the package lacks $entry"
done
[[ -f "$feed/NasGen.$version.snupkg" ]] || fail "no symbol package NasGen.$version.snupkg"
# Bundled, not depended on: NasGen.Abstractions is inside the package; TorchSharp without a native flavour.
nuspec=$(unzip -p "$feed/NasGen.$version.nupkg" NasGen.nuspec)
grep -q 'dependency id="NasGen.Abstractions"' <<<"$nuspec" && fail "the package depends on NasGen.Abstractions instead of bundling it"
grep -q 'dependency id="TorchSharp" ' <<<"$nuspec" || fail "the package does not depend on TorchSharp"
grep -q 'dependency id="TorchSharp-cpu"' <<<"$nuspec" && fail "the package forces the TorchSharp-cpu flavour"

# The space hub: its own package, depending on NasGen (generator and build targets included, not excluded).
dotnet pack src/NasGen.Spaces/NasGen.Spaces.csproj -c Release -o "$feed" -p:VersionSuffix="$suffix" || fail "dotnet pack src/NasGen.Spaces failed"
[[ -f "$feed/NasGen.Spaces.$version.nupkg" ]] || fail "NasGen.Spaces.$version.nupkg was not written"
spaces_listing=$(unzip -l "$feed/NasGen.Spaces.$version.nupkg")
for entry in lib/net8.0/NasGen.Spaces.dll lib/net8.0/NasGen.Spaces.xml README.md LICENSE; do
  grep -q " $entry\$" <<<"$spaces_listing" || fail "the NasGen.Spaces package lacks $entry"
done
spaces_nuspec=$(unzip -p "$feed/NasGen.Spaces.$version.nupkg" NasGen.Spaces.nuspec)
grep -q "dependency id=\"NasGen\" version=\"$version\"" <<<"$spaces_nuspec" || fail "NasGen.Spaces does not depend on NasGen $version"
grep -q 'dependency id="NasGen" [^>]*exclude=' <<<"$spaces_nuspec" && fail "NasGen.Spaces hides NasGen's generator or build targets from its users"
grep -Eq 'dependency id="NasGen\.(Abstractions|Generators)"' <<<"$spaces_nuspec" && fail "NasGen.Spaces depends on NasGen's internal assemblies"

# A packages folder of its own; the machine's cache only as a read-only fallback for third-party packages.
export NUGET_PACKAGES="$work/packages"
fallback="${NASGEN_FALLBACK_PACKAGES:-$HOME/.nuget/packages}"
consumer="$work/consumer"
cp -r tests/PackageConsumer "$consumer"
# The copy keeps the NuGet.config's relative feed path valid: artifacts/package-test/consumer -> ../feed.
sed -i 's:value="../../artifacts/package-test/feed":value="../feed":' "$consumer/NuGet.config"
restore_props=(-p:NasGenVersion="$version")
[[ -d "$fallback" ]] && restore_props+=(-p:RestoreFallbackFolders="$fallback")

dotnet build "$consumer/PackageConsumer.csproj" -c Release "${restore_props[@]}" || fail "the consumer project did not build from the package"
grep -rq "nasgen/$version" "$consumer/obj/project.assets.json" || fail "the consumer did not restore NasGen $version from the feed"

store="$work/consumer.db"
output=$(dotnet "$consumer/bin/Release/net10.0/PackageConsumer.dll" "$store") || { echo "$output"; fail "the consumer's search failed"; }
echo "$output"
grep -q "^package-consumer: 6 trials, [1-9][0-9]* completed" <<<"$output" || fail "the consumer did not report a finished search"

# The nasgen tool, installed from the same feed, reads the store without the consumer's code.
tools="$work/tools"
dotnet tool install NasGen.Cli --tool-path "$tools" --version "$version" --add-source "$feed" || fail "dotnet tool install NasGen.Cli failed"
listed=$("$tools/nasgen" list "$store" --json) || fail "nasgen list failed"
echo "$listed"
grep -q '"package-test"' <<<"$listed" || fail "nasgen list does not show the experiment"
"$tools/nasgen" top "$store" -k 3 || fail "nasgen top failed"

# The project template: installed from the feed into a throwaway template hive (nothing lands in the user's profile),
# scaffolded outside the repository (no NasGen build settings apply, as for a user), built against the packed
# NasGen, its test run, and a two-trial search on a CSV made from the embedded digits, resumed, then read by the tool.
dotnet pack templates/NasGen.Templates/NasGen.Templates.csproj -c Release -o "$feed" -p:VersionSuffix="$suffix" || fail "dotnet pack templates/NasGen.Templates failed"
[[ -f "$feed/NasGen.Templates.$version.nupkg" ]] || fail "NasGen.Templates.$version.nupkg was not written"
hive="$work/template-hive"
dotnet new install "$feed/NasGen.Templates.$version.nupkg" --debug:custom-hive "$hive" || fail "dotnet new install NasGen.Templates failed"
scaffold=$(mktemp -d)
trap 'rm -rf "$scaffold"' EXIT
(cd "$scaffold" && dotnet new nasgen-search -n TableSearch --data csv --debug:custom-hive "$hive" \
  && dotnet new nasgen-search -n ImageSearch --data images --debug:custom-hive "$hive") || fail "dotnet new nasgen-search failed"
grep -q "Include=\"NasGen\" Version=\"$version\"" "$scaffold/TableSearch/TableSearch/TableSearch.csproj" \
  || fail "the scaffolded project does not reference the NasGen $version the template was packed with"
for project in TableSearch ImageSearch; do
  sed 's:value="../../artifacts/package-test/feed":value="'"$feed"'":' tests/PackageConsumer/NuGet.config > "$scaffold/$project/NuGet.config"
done
dotnet build "$scaffold/TableSearch/TableSearch.Tests/TableSearch.Tests.csproj" -c Release "${restore_props[@]}" || fail "the scaffolded CSV project did not build"
dotnet test "$scaffold/TableSearch/TableSearch.Tests/TableSearch.Tests.csproj" -c Release --no-build || fail "the scaffolded project's test failed"
dotnet build "$scaffold/ImageSearch/ImageSearch/ImageSearch.csproj" -c Release "${restore_props[@]}" || fail "the scaffolded image-folder project did not build"

{ printf 'p%d,' $(seq 0 63); echo label; gzip -dc src/NasGen/Data/Resources/digits.csv.gz | awk 'NR <= 600'; } > "$scaffold/digits.csv"
search=(dotnet "$scaffold/TableSearch/TableSearch/bin/Release/net10.0/TableSearch.dll" --data "$scaffold/digits.csv" --label label
        --trials 2 --epochs 2 --final-epochs 2 --out "$scaffold/runs")
output=$("${search[@]}") || { echo "$output"; fail "the scaffolded search failed"; }
echo "$output"
grep -q "Test accuracy of the best architecture" <<<"$output" || fail "the scaffolded search reported no test accuracy"
for file in experiment.db summary.md best.arch.json BestSearchNet.cs BestSearchNet.weights preprocessing.json; do
  [[ -s "$scaffold/runs/$file" ]] || fail "the scaffolded search did not write $file"
done
output=$("${search[@]}") || { echo "$output"; fail "the scaffolded search did not run again"; }
grep -q "2 finished trials replayed, 0 to run again" <<<"$output" || { echo "$output"; fail "running the scaffolded search again did not resume"; }
"$tools/nasgen" top "$scaffold/runs/experiment.db" -k 2 || fail "nasgen top failed on the scaffolded search's store"

echo "package test: passed"
