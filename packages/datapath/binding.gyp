{
  "targets": [
    {
      "target_name": "fallocate",
      "sources": ["native/fallocate.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
