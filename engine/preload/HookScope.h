#pragma once

#include "ThreadState.h"

namespace poolscope::preload {

// Marks the calling thread busy for the life of a hook, when the tracker is tracking and the
// thread is not inside another hook already; tracking() says whether the hook should record.
class HookScope {
public:
    explicit HookScope(bool trackerActive) : tracking_(trackerActive && !tThread.busy) {
        if (tracking_) {
            tThread.busy = true;
        }
    }
    ~HookScope() {
        if (tracking_) {
            tThread.busy = false;
        }
    }
    HookScope(const HookScope&) = delete;
    HookScope& operator=(const HookScope&) = delete;

    bool tracking() const { return tracking_; }

private:
    bool tracking_;
};

}  // namespace poolscope::preload
