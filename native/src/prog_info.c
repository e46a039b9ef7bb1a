/* Program introspection for explain(): what the verifier and JIT made of a
 * template instance, and (with run stats enabled) what it costs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"

napi_value pb_object_program_info(napi_env env, pb_object *o, napi_value *argv, size_t argc)
{
	char name[128], tag[17];
	struct bpf_program *p;
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	napi_value r;
	int fd;

	if (argc < 1 || !(p = pb_object_program(env, o, argv[0], name, sizeof(name))))
		return NULL;
	fd = bpf_program__fd(p);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		pb_throw_errno(env, errno, "read info of program %s", name);
		return NULL;
	}
	for (int i = 0; i < 8; i++)
		snprintf(tag + 2 * i, 3, "%02x", info.tag[i]);
	napi_create_object(env, &r);
	pb_set_prop_str(env, r, "name", info.name);
	pb_set_prop_num(env, r, "id", info.id);
	pb_set_prop_str(env, r, "tag", tag);
	pb_set_prop_str(env, r, "type", libbpf_bpf_prog_type_str(info.type) ?: "unknown");
	pb_set_prop_num(env, r, "xlatedInsns", info.xlated_prog_len / 8); /* struct bpf_insn is 8 bytes */
	pb_set_prop_num(env, r, "jitedBytes", info.jited_prog_len);
	pb_set_prop_num(env, r, "verifiedInsns", info.verified_insns);
	pb_set_prop_num(env, r, "runTimeNs", (double)info.run_time_ns); /* 0 unless run stats are on */
	pb_set_prop_num(env, r, "runCount", (double)info.run_cnt);
	pb_set_prop_num(env, r, "recursionMisses", (double)info.recursion_misses);
	pb_set_prop_num(env, r, "mapCount", info.nr_map_ids);
	return r;
}
