#!/usr/bin/env bash
# Package integration test: packs NasGen (and the nasgen tool, and the NasGen.Spaces hub) into a local folder feed, restores a throwaway
# consumer project (tests/PackageConsumer) whose NuGet.config takes NasGen from that feed only, builds it (the
# generator runs from the package, the TorchSharp native fix from its buildTransitive targets) and runs a short
# search; then installs the nasgen tool from the feed and reads the store the search wrote.
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

echo "package test: passed"
