using System;
using System.IO;
using System.IO.Compression;

namespace NasGen.Data;

/// <summary>
/// Reads IDX files (the MNIST format: big-endian magic <c>0x00 0x00 type rank</c>, one big-endian
/// int32 per dimension, then the unsigned bytes), raw or gzip-compressed.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads an unsigned-byte IDX file and checks its rank.</summary>
    /// <param name="path">The file, raw or <c>.gz</c> (recognised by its gzip header, not its name).</param>
    /// <param name="expectedRank">1 for labels, 3 for images.</param>
    /// <returns>The dimensions and the bytes in row-major order.</returns>
    /// <exception cref="DatasetException">The file is not a valid IDX file of that rank.</exception>
    public static (int[] Shape, byte[] Data) ReadUnsignedBytes(string path, int expectedRank)
    {
        byte[] content;
        try
        {
            content = ReadDecompressed(path);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"'{path}' is corrupt: its gzip stream cannot be decoded ({e.Message}). Delete it and fetch it again.", e);
        }

        if (content.Length < 4 || content[0] != 0 || content[1] != 0 || content[2] != UnsignedByteType || content[3] != expectedRank)
        {
            string magic = content.Length >= 4 ? $"0x{content[0]:X2}{content[1]:X2}{content[2]:X2}{content[3]:X2}" : $"{content.Length} byte(s)";
            throw new DatasetException(
                $"'{path}' is not an IDX file of rank {expectedRank}: bad magic number {magic} " +
                $"(expected 0x0000{UnsignedByteType:X2}{expectedRank:X2}). Delete it and fetch it again.");
        }

        int headerLength = 4 + 4 * expectedRank;
        if (content.Length < headerLength)
        {
            throw new DatasetException($"'{path}' is truncated: {content.Length} bytes, shorter than its {headerLength}-byte header. Delete it and fetch it again.");
        }

        var shape = new int[expectedRank];
        long elementCount = 1;
        for (int d = 0; d < expectedRank; d++)
        {
            int offset = 4 + 4 * d;
            shape[d] = (content[offset] << 24) | (content[offset + 1] << 16) | (content[offset + 2] << 8) | content[offset + 3];
            if (shape[d] < 0)
            {
                throw new DatasetException($"'{path}' is corrupt: dimension {d} is negative ({shape[d]}).");
            }

            elementCount *= shape[d];
        }

        long expectedLength = headerLength + elementCount;

        if (content.Length != expectedLength)
        {
            throw new DatasetException(
                $"'{path}' has the wrong length: {content.Length} bytes, but its header [{string.Join(", ", shape)}] says {expectedLength}. " +
                "The file is truncated or corrupt; delete it and fetch it again.");
        }

        return (shape, content.AsSpan(headerLength).ToArray());
    }

    private static byte[] ReadDecompressed(string path)
    {
        byte[] raw = File.ReadAllBytes(path);
        bool isGzip = raw.Length >= 2 && raw[0] == 0x1F && raw[1] == 0x8B;
        if (!isGzip)
        {
            return raw;
        }

        using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        using var decoded = new MemoryStream();
        gzip.CopyTo(decoded);
        return decoded.ToArray();
    }
}
