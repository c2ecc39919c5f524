/*
 * Futex wait and wake on a 32-bit word in shared memory (a mapped segment another process maps
 * too), for the same-host transport's sleeping receivers and the collectives' meetings
 * (src/transport/futex.ts): Linux's futex(2) without FUTEX_PRIVATE_FLAG, so that a wake from one
 * process reaches a waiter in another. V8's Atomics.wait and Atomics.notify keep their waiters per
 * process, so they cannot do this. Also sched_yield(2), for a waiter that polls while it gives its
 * core to the ranks it waits for.
 */
#include <errno.h>
#include <linux/futex.h>
#include <node_api.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The word at `index_value` of the Int32Array `array`; NULL (with a JS exception pending) if not one. */
static int32_t *word_at(napi_env env, napi_value array, napi_value index_value) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  uint32_t index;
  if (napi_get_typedarray_info(env, array, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_int32_array) {
    napi_throw_type_error(env, NULL, "expected an Int32Array");
    return NULL;
  }
  if (napi_get_value_uint32(env, index_value, &index) != napi_ok || index >= length) {
    napi_throw_range_error(env, NULL, "index out of range");
    return NULL;
  }
  return (int32_t *)data + index;
}

/*
 * Reads exactly `count` arguments into `args` (the first two: an Int32Array and an index into it)
 * and returns the word they name; NULL, with a JS exception pending, if they do not fit `usage`.
 */
static int32_t *arguments(napi_env env, napi_callback_info info, size_t count, napi_value *args, const char *usage) {
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc != count) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  return word_at(env, args[0], args[1]);
}

/* wait(array, index, expected, timeoutUs): 0 woken (or spurious), 1 timed out, 2 the word was not `expected`. */
static napi_value wait_on(napi_env env, napi_callback_info info) {
  napi_value args[4];
  int32_t *word = arguments(env, info, 4, args, "wait(array, index, expected, timeoutUs)");
  if (word == NULL) return NULL;
  int32_t expected;
  double timeout_us;
  napi_get_value_int32(env, args[2], &expected);
  napi_get_value_double(env, args[3], &timeout_us);
  struct timespec timeout = {(time_t)(timeout_us / 1e6), (long)((timeout_us - (double)(time_t)(timeout_us / 1e6) * 1e6) * 1e3)};
  long rc = syscall(SYS_futex, word, FUTEX_WAIT, expected, &timeout, NULL, 0);
  int outcome = rc == 0 ? 0 : errno == ETIMEDOUT ? 1 : errno == EAGAIN ? 2 : 0;
  napi_value result;
  napi_create_int32(env, outcome, &result);
  return result;
}

/* wake(array, index, count): how many waiters were woken. */
static napi_value wake(napi_env env, napi_callback_info info) {
  napi_value args[3];
  int32_t *word = arguments(env, info, 3, args, "wake(array, index, count)");
  if (word == NULL) return NULL;
  int32_t count;
  napi_get_value_int32(env, args[2], &count);
  long rc = syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0);
  napi_value result;
  napi_create_int32(env, rc < 0 ? 0 : (int32_t)rc, &result);
  return result;
}

/* yield(): gives up the core to another runnable process, if there is one. */
static napi_value yield_core(napi_env env, napi_callback_info info) {
  (void)info;
  sched_yield();
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"wait", NULL, wait_on, NULL, NULL, NULL, napi_default, NULL},
      {"wake", NULL, wake, NULL, NULL, NULL, napi_default, NULL},
      {"yield", NULL, yield_core, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
