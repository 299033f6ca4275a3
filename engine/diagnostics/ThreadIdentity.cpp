#include "diagnostics/ThreadIdentity.h"

#include <sys/syscall.h>
#include <unistd.h>

namespace poolscope {

std::uint32_t currentThreadId() {
    thread_local const std::uint32_t id = static_cast<std::uint32_t>(syscall(SYS_gettid));
    return id;
}

}  // namespace poolscope
