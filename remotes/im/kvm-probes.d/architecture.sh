#!/bin/sh
# ARCH: the host's machine architecture (x86_64, aarch64...), for SCHED_REQUIREMENTS.
echo "ARCH=$(uname -m)"
