#include "native/NativeLeakClassifier.h"

#include <algorithm>
#include <iterator>

namespace poolscope {

namespace {

constexpr std::string_view kRuntimeModules[] = {
    "libc.so",     "libc-",        "ld-linux",   "ld64.so",       "libstdc++.so",
    "libgcc_s.so", "libm.so",      "libmvec.so", "libpthread.so", "libdl.so",
    "librt.so",    "libresolv.so", "libnss_",    "libutil.so",    "libpoolscope_preload",
};

// Functions of the runtime that allocate once and keep it until the process ends, by how their
// names start: what a program cannot free and did not leak.
constexpr std::string_view kKeptForever[] = {
    "_IO_file_doallocate",  // stdio buffers
    "_IO_doallocbuf",
    "setlocale",
    "newlocale",
    "_nl_",  // locale data and message catalogs
    "textdomain",
    "bindtextdomain",
    "__dcigettext",
    "dcgettext",
    "_dl_",  // the loader's data, thread-local storage and its dtv
    "__tls_get_addr",
    "dlopen",
    "dlerror",
    "__libc_dlopen",
    "__libc_early_init",
    "tzset",  // the time zone
    "__tzfile_",
    "__tzset",
    "localtime",
    "getpwnam",  // the name service's buffers and modules
    "getpwuid",
    "getgrnam",
    "getgrgid",
    "getpwent",
    "__nss_",
    "nss_",
    "(anonymous namespace)::pool::pool",  // libstdc++'s emergency exception pool
    "__cxa_get_globals",
    "__cxa_thread_atexit",
    "__cxa_atexit",
    "__new_exitfn",
    "atexit",
    "std::locale::",
    "std::ios_base::Init",
    "allocate_stack",  // the thread stacks glibc caches for new threads
    "pthread_create",
    "init_cacheinfo",
    "strerror",
    "strsignal",
};

}  // namespace

bool NativeLeakClassifier::isRuntimeModule(std::string_view modulePath) {
    const auto slash = modulePath.rfind('/');
    const std::string_view name =
        slash == std::string_view::npos ? modulePath : modulePath.substr(slash + 1);
    return std::any_of(std::begin(kRuntimeModules), std::end(kRuntimeModules),
                       [name](std::string_view prefix) { return name.starts_with(prefix); });
}

bool NativeLeakClassifier::isKeptForever(std::string_view function) {
    return std::any_of(
        std::begin(kKeptForever), std::end(kKeptForever),
        [function](std::string_view prefix) { return function.starts_with(prefix); });
}

bool NativeLeakClassifier::isRuntimeOwned(const std::vector<Frame>& stack) {
    if (stack.empty()) {
        return false;
    }
    for (const Frame& frame : stack) {
        if (isKeptForever(frame.function)) {
            return true;
        }
        if (!frame.module.empty() && !isRuntimeModule(frame.module)) {
            return false;
        }
    }
    return true;
}

NativeLeaks NativeLeakClassifier::classify(std::vector<LeakRecord> leaks,
                                           const LeakSuppressions& suppressions) {
    NativeLeaks sorted;
    for (LeakRecord& leak : leaks) {
        if (isRuntimeOwned(leak.stack)) {
            sorted.runtimeOwned.push_back(std::move(leak));
        } else if (const std::string* pattern = suppressions.match(leak.stack)) {
            sorted.suppressed.push_back({std::move(leak), *pattern});
        } else {
            sorted.own.push_back(std::move(leak));
        }
    }
    return sorted;
}

}  // namespace poolscope
