"""Prints the directory that `meson install` puts the aimeter package in for a prefix
(python/meson.build): one that this interpreter searches when the prefix is its own."""
import sys
import sysconfig

prefix = sys.argv[1].rstrip("/") or "/"
schemes = sysconfig.get_scheme_names()
version = f"{sys.version_info[0]}.{sys.version_info[1]}"
if prefix == "/usr" and "deb_system" in schemes:
    path = sysconfig.get_path("purelib", "deb_system", vars={"base": "/usr"})
elif prefix == "/usr/local" and "posix_local" in schemes:
    # Debian's scheme for /usr/local: /usr/local/lib/python3.X/dist-packages
    path = sysconfig.get_path("purelib", "posix_local", vars={"base": "/usr"})
else:
    path = sysconfig.get_path("purelib", "posix_prefix", vars={"base": prefix})
print(path)
