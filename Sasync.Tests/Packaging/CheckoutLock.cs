namespace Sasync.Tests.Packaging;

/// <summary>
/// One `dotnet pack` or `dotnet publish` at a time per checkout: both write into the projects' obj/ and bin/, so two
/// test runs (or two tests of one run) building at once would collide. A file lock in the temporary directory, named
/// after the checkout, released when disposed.
/// </summary>
public static class CheckoutLock
{
    public static async Task<FileStream> TakeAsync(TimeSpan limit)
    {
        var name = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(RepositoryTree.Root)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"sasync-pack-{name}.lock");
        using var timeout = new CancellationTokenSource(limit);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(200, timeout.Token);
            }
        }
    }
}
