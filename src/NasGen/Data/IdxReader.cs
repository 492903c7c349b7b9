using System.IO.Compression;

namespace NasGen.Data;

/// <summary>
/// Reads IDX files (the MNIST format: big-endian magic <c>0x00 0x00 type rank</c>, one big-endian
/// int32 per dimension, then the unsigned bytes), raw or gzip-compressed.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>The largest payload read: a .NET array holds at most this many bytes.</summary>
    private const long MaxDataLength = 0x7FFF_FFC7;

    /// <summary>Reads an unsigned-byte IDX file and checks its rank.</summary>
    /// <param name="path">The file, raw or <c>.gz</c> (recognised by its gzip header, not its name).</param>
    /// <param name="expectedRank">1 for labels, 3 for images.</param>
    /// <returns>The dimensions and the bytes in row-major order.</returns>
    /// <exception cref="DatasetException">The file is not a valid IDX file of that rank, or cannot be read.</exception>
    public static (int[] Shape, byte[] Data) ReadUnsignedBytes(string path, int expectedRank)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            bool isGzip = file.ReadByte() == 0x1F && file.ReadByte() == 0x8B;
            file.Position = 0;
            using Stream content = isGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            return Read(path, content, expectedRank, isGzip);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"'{path}' is corrupt: its gzip stream cannot be decoded ({e.Message}). Delete it and fetch it again.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"'{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Reads a gzip-compressed unsigned-byte IDX stream (an embedded resource); <paramref name="name"/> names it in errors.</summary>
    internal static (int[] Shape, byte[] Data) ReadUnsignedBytes(Stream gzipStream, string name, int expectedRank)
    {
        using var content = new GZipStream(gzipStream, CompressionMode.Decompress);
        return Read(name, content, expectedRank, isGzip: true);
    }

    // Reads the header first and then exactly the bytes it declares, so a small gzip file that expands to gigabytes
    // (or a header whose dimensions overflow) fails after reading at most one byte more than the header promised.
    private static (int[] Shape, byte[] Data) Read(string path, Stream content, int expectedRank, bool isGzip)
    {
        var magic = new byte[4];
        int magicRead = content.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        if (magicRead < 4 || magic[0] != 0 || magic[1] != 0 || magic[2] != UnsignedByteType || magic[3] != expectedRank)
        {
            string found = magicRead >= 4 ? $"0x{magic[0]:X2}{magic[1]:X2}{magic[2]:X2}{magic[3]:X2}" : $"{magicRead} byte(s)";
            throw new DatasetException(
                $"'{path}' is not an IDX file of rank {expectedRank}: bad magic number {found} " +
                $"(expected 0x0000{UnsignedByteType:X2}{expectedRank:X2}). Delete it and fetch it again.");
        }

        int headerLength = 4 + 4 * expectedRank;
        var dimensions = new byte[4 * expectedRank];
        int dimensionsRead = content.ReadAtLeast(dimensions, dimensions.Length, throwOnEndOfStream: false);
        if (dimensionsRead < dimensions.Length)
        {
            throw new DatasetException($"'{path}' is truncated: {4 + dimensionsRead} bytes, shorter than its {headerLength}-byte header. Delete it and fetch it again.");
        }

        var shape = new int[expectedRank];
        long elementCount = 1;
        for (int d = 0; d < expectedRank; d++)
        {
            int offset = 4 * d;
            shape[d] = (dimensions[offset] << 24) | (dimensions[offset + 1] << 16) | (dimensions[offset + 2] << 8) | dimensions[offset + 3];
            if (shape[d] < 0)
            {
                throw new DatasetException($"'{path}' is corrupt: dimension {d} is negative ({shape[d]}). Delete it and fetch it again.");
            }

            // Capped at every step, so the product never overflows (16 x 2^30 x 2^30 would wrap a long).
            elementCount = elementCount * shape[d] is var product && product <= MaxDataLength ? product : MaxDataLength + 1;
        }

        if (elementCount > MaxDataLength)
        {
            throw new DatasetException(
                $"'{path}' is corrupt: its header [{string.Join(", ", shape)}] declares more than {MaxDataLength} bytes of data. Delete it and fetch it again.");
        }

        var data = new byte[elementCount];
        int dataRead = content.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        bool longer = dataRead == data.Length && content.ReadByte() >= 0;
        if (dataRead < data.Length || longer)
        {
            string actual = longer ? "more than that" : $"{headerLength + dataRead} bytes";
            throw new DatasetException(
                $"'{path}' has the wrong length: its header [{string.Join(", ", shape)}] says {headerLength + elementCount} bytes" +
                $"{(isGzip ? " decompressed" : "")}, but it holds {actual}. The file is truncated or corrupt; delete it and fetch it again.");
        }

        return (shape, data);
    }
}
