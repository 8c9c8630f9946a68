#!/bin/sh
# MODELNAME: the CPU model, as /proc/cpuinfo names it.
model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1 | tr -d '"')
[ -n "$model" ] && echo "MODELNAME=\"$model\""
exit 0
