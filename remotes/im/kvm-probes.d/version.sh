#!/bin/sh
# VERSION: the version of the remotes on this host, written by the front-end when it copied
# them (onehost sync, or the copy on first use); the IM driver copies them again when it
# differs from the front-end's.
f="$(dirname "$0")/../../VERSION"
[ -r "$f" ] && echo "VERSION=\"$(cat "$f")\""
exit 0
