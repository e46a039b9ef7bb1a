#!/bin/busybox sh
# /init of the guest's initramfs (busybox-static). It loads the modules the
# boot needs, mounts the host's / read-only over virtio-9p under a tmpfs
# overlay (so the guest runs the host's node, libbpf and build outputs, and
# may write anywhere without touching the host), mounts the kernel
# filesystems probebook uses, runs /pb-results/job.sh in that root and powers
# off. The host reads everything back from the read-write results share.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

say() { echo "pb-guest: $*" > /dev/ttyS0; }
fail() { say "FAILED: $*"; poweroff -f; }

# Dependencies first: modules.order is written in load order by the host.
while read -r m; do
  insmod "/modules/$m" || fail "insmod $m"
done < /modules.order

mkdir -p /lower /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower || fail "9p mount of the host root"
mount -t tmpfs -o size=75% tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || fail "overlay"

r=/newroot
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm && mount -t devpts devpts $r/dev/pts && mount -t tmpfs tmpfs $r/dev/shm
# /tmp stays the overlay's (writable, in the guest's memory) rather than a
# fresh tmpfs: a checkout under the host's /tmp (CI clones into mktemp -d) must
# stay visible.
mount -t tmpfs tmpfs $r/run
mount -t debugfs debugfs $r/sys/kernel/debug
mount -t tracefs tracefs $r/sys/kernel/tracing
mount -t bpf bpf $r/sys/fs/bpf
mount -t cgroup2 cgroup2 $r/sys/fs/cgroup
mkdir -p $r/pb-results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results $r/pb-results || fail "9p mount of the results share"

# Without lo, nothing on 127.0.0.1 answers (ZeroMQ, the loopback servers).
ip link set lo up
hostname pb-guest

say "ready after $(cut -d' ' -f1 /proc/uptime) s"
chroot $r /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root TERM=dumb LANG=C.UTF-8 PB_GUEST=1 /bin/bash /pb-results/job.sh \
  > $r/pb-results/job.log 2>&1
echo $? > $r/pb-results/job.rc
sync
say "job ended (status $(cat $r/pb-results/job.rc)) after $(cut -d' ' -f1 /proc/uptime) s"
umount $r/pb-results
poweroff -f
