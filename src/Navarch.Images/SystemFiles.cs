namespace Navarch.Images;

/// <summary>
/// The few files a Debian base system would provide that programs look up at run time: users and groups
/// (Debian's fixed ids from base-passwd, so <c>user www-data;</c> resolves), nsswitch.conf, /tmp and /run.
/// /etc/hosts, /etc/hostname and /etc/resolv.conf are left to the runtime, which mounts them.
/// </summary>
public static class SystemFiles
{
    public const string Passwd = """
        root:x:0:0:root:/root:/bin/sh
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
        bin:x:2:2:bin:/bin:/usr/sbin/nologin
        sys:x:3:3:sys:/dev:/usr/sbin/nologin
        www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
        nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin

        """;

    public const string Group = """
        root:x:0:
        daemon:x:1:
        bin:x:2:
        sys:x:3:
        adm:x:4:
        tty:x:5:
        www-data:x:33:
        nogroup:x:65534:

        """;

    public const string NsSwitch = """
        passwd: files
        group: files
        shadow: files
        hosts: files dns
        networks: files
        protocols: files
        services: files

        """;

    private const UnixFileMode StickyWorldWritable = (UnixFileMode)0b1_111_111_111; // 1777

    /// <summary>Adds the files above plus /root, /tmp (1777), /var/tmp (1777) and /run; existing entries are replaced.</summary>
    public static void AddTo(RootFs rootFs)
    {
        rootFs.AddFile("/etc/passwd", Passwd);
        rootFs.AddFile("/etc/group", Group);
        rootFs.AddFile("/etc/nsswitch.conf", NsSwitch);
        rootFs.AddDirectory("/root", (UnixFileMode)0b111_000_000);
        rootFs.AddDirectory("/tmp", StickyWorldWritable);
        rootFs.AddDirectory("/var/tmp", StickyWorldWritable);
        rootFs.AddDirectory("/run");
    }
}
