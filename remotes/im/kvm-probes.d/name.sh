#!/bin/sh
# HOSTNAME: the name the host gives itself (may differ from the name it was added with).
echo "HOSTNAME=$(uname -n)"
