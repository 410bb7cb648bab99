#!/bin/sh
set -eu
echo "running as $(id -u)"
