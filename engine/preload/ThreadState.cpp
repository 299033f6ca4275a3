#include "ThreadState.h"

#include <unistd.h>

namespace poolscope::preload {

__thread ThreadState tThread __attribute__((tls_model("initial-exec")));

std::uint32_t currentThreadId() {
    if (tThread.threadId == 0) {
        tThread.threadId = static_cast<std::uint32_t>(gettid());
    }
    return tThread.threadId;
}

}  // namespace poolscope::preload
