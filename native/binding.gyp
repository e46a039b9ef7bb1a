{
  "targets": [
    {
      "target_name": "probebook_bpf",
      "sources": [
        "src/addon.c",
        "src/args.c",
        "src/attach_more.c",
        "src/close_async.c",
        "src/detach_async.c",
        "src/columns.c",
        "src/columns_dict.c",
        "src/core_btf.c",
        "src/errors.c",
        "src/features.c",
        "src/link.c",
        "src/map_batch.c",
        "src/maps.c",
        "src/object.c",
        "src/process_exit.c",
        "src/prog_info.c",
        "src/reader.c",
        "src/run_switch.c",
        "src/stacks.c",
        "src/wrap.c"
      ],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2", "-g"],
      "libraries": ["-lbpf", "-lelf", "-lz", "-lpthread"]
    }
  ]
}
