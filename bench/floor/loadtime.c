// Profiling aid (bench/PROFILE.md): how long libbpf takes to open and load an
// object, with the running kernel's vmlinux BTF (the default) or with a
// minimal BTF (`bpftool gen min_core_btf /sys/kernel/btf/vmlinux OUT OBJ`) as
// btf_custom_path. `loadtime OBJ [MIN_BTF]`; 5 loads. The load may be refused
// by the verifier (rodata left at zero): the BTF work it measures comes first.
#include <stdio.h>
#include <time.h>
#include <bpf/libbpf.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) { return 0; }

int main(int argc, char **argv)
{
	if (argc < 2) { fprintf(stderr, "usage: loadtime OBJ [MIN_BTF]\n"); return 2; }
	libbpf_set_print(quiet);
	for (int i = 0; i < 5; i++) {
		LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argc > 2 ? argv[2] : NULL);
		double t0 = now_ms();
		struct bpf_object *obj = bpf_object__open_file(argv[1], &opts);
		if (!obj) { perror("loadtime: open"); return 1; }
		struct bpf_map *m;
		bpf_object__for_each_map(m, obj)
			if (bpf_map__type(m) == BPF_MAP_TYPE_RINGBUF)
				bpf_map__set_max_entries(m, 1 << 20);
		int err = bpf_object__load(obj);
		printf("%s: open+load %.2f ms (load returned %d)\n", argc > 2 ? argv[2] : "vmlinux BTF", now_ms() - t0, err);
		bpf_object__close(obj);
	}
	return 0;
}
