// fallocate(2) for Node, which has none: one call, run on libuv's thread pool (napi async work)
// so a large punch or zero range never blocks the event loop. Used by src/replica/punch.ts to
// release trimmed space (FALLOC_FL_PUNCH_HOLE) and to zero a range while keeping it allocated
// (FALLOC_FL_ZERO_RANGE), without a child process per call.
//
// fallocate(fd, mode, offset, length, callback): callback(errno) with 0 on success, else the
// positive errno (the JS side turns it into an error with a code). The descriptor must stay open
// until the callback runs; the caller's range lock guarantees that.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <node_api.h>

typedef struct {
  napi_async_work work;
  napi_ref callback;
  int fd;
  int mode;
  int64_t offset;
  int64_t length;
  int err;
} Job;

static void execute(napi_env env, void* data) {
  (void)env;
  Job* job = (Job*)data;
  int rc;
  do {
    rc = fallocate(job->fd, job->mode, (off_t)job->offset, (off_t)job->length);
  } while (rc != 0 && errno == EINTR);
  job->err = rc == 0 ? 0 : errno;
}

static void complete(napi_env env, napi_status status, void* data) {
  Job* job = (Job*)data;
  napi_value cb, global, arg;
  napi_get_reference_value(env, job->callback, &cb);
  napi_get_global(env, &global);
  napi_create_int32(env, status == napi_ok ? job->err : ECANCELED, &arg);
  napi_call_function(env, global, cb, 1, &arg, NULL);
  napi_delete_reference(env, job->callback);
  napi_delete_async_work(env, job->work);
  free(job);
}

#define CHECK(call, msg) do { if ((call) != napi_ok) { napi_throw_type_error(env, NULL, msg); return NULL; } } while (0)

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call");
  if (argc != 5) { napi_throw_type_error(env, NULL, "fallocate(fd, mode, offset, length, callback)"); return NULL; }
  int32_t fd, mode;
  int64_t offset, length;
  napi_valuetype cbType;
  CHECK(napi_get_value_int32(env, argv[0], &fd), "fd must be a number");
  CHECK(napi_get_value_int32(env, argv[1], &mode), "mode must be a number");
  CHECK(napi_get_value_int64(env, argv[2], &offset), "offset must be a number");
  CHECK(napi_get_value_int64(env, argv[3], &length), "length must be a number");
  CHECK(napi_typeof(env, argv[4], &cbType), "callback must be a function");
  if (cbType != napi_function) { napi_throw_type_error(env, NULL, "callback must be a function"); return NULL; }
  Job* job = (Job*)calloc(1, sizeof(Job));
  if (job == NULL) { napi_throw_error(env, NULL, "out of memory"); return NULL; }
  job->fd = fd;
  job->mode = mode;
  job->offset = offset;
  job->length = length;
  napi_value name;
  napi_create_string_utf8(env, "cairn:fallocate", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[4], 1, &job->callback) != napi_ok
      || napi_create_async_work(env, NULL, name, execute, complete, job, &job->work) != napi_ok
      || napi_queue_async_work(env, job->work) != napi_ok) {
    free(job);
    napi_throw_error(env, NULL, "cannot queue fallocate");
    return NULL;
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn, v;
  napi_create_function(env, "fallocate", NAPI_AUTO_LENGTH, start, NULL, &fn);
  napi_set_named_property(env, exports, "fallocate", fn);
  napi_create_int32(env, FALLOC_FL_KEEP_SIZE, &v);
  napi_set_named_property(env, exports, "KEEP_SIZE", v);
  napi_create_int32(env, FALLOC_FL_PUNCH_HOLE, &v);
  napi_set_named_property(env, exports, "PUNCH_HOLE", v);
  napi_create_int32(env, FALLOC_FL_ZERO_RANGE, &v);
  napi_set_named_property(env, exports, "ZERO_RANGE", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
