#include "recording/PassedIntegrityChecks.h"

#include <algorithm>
#include <chrono>
#include <exception>

namespace poolscope {

PassedIntegrityChecks& PassedIntegrityChecks::instance() {
    static PassedIntegrityChecks checks;
    return checks;
}

PassedIntegrityChecks::Entry* PassedIntegrityChecks::find(const std::string& path,
                                                          const FileIdentity& identity) {
    const auto found = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& entry) {
        return entry.path == path && entry.identity == identity;
    });
    return found == entries_.end() ? nullptr : &*found;
}

void PassedIntegrityChecks::forget(const std::string& path, const FileIdentity& identity) {
    std::erase_if(entries_, [&](const Entry& entry) {
        return entry.path == path && entry.identity == identity;
    });
}

void PassedIntegrityChecks::checkOnce(const std::string& path, const std::function<bool()>& check) {
    const FileIdentity before = FileIdentity::of(path);
    // A file written just before is checked every time: a change made right after a check may
    // leave its modification time as it was (the clock it is read from moves a few milliseconds
    // at a time, a file system may keep it to the second or two), where one made kSettled later
    // never does.
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    const std::int64_t settled = now - std::chrono::nanoseconds(kSettled).count();
    if (before.bytes < 0 || before.modified > settled || before.logModified > settled) {
        check();
        return;
    }
    {
        std::unique_lock lock(mutex_);
        // Another thread checking the same file as it is: its result, once it has one.
        checked_.wait(lock, [&] {
            const Entry* entry = find(path, before);
            return entry == nullptr || !entry->checking;
        });
        if (find(path, before) != nullptr) {
            return;  // passed
        }
        if (entries_.size() == kRemembered) {
            entries_.erase(entries_.begin());
        }
        entries_.push_back({path, before, true});
    }
    bool passed = false;
    try {
        passed = check();
    } catch (...) {
        {
            const std::lock_guard lock(mutex_);
            forget(path, before);
        }
        checked_.notify_all();
        throw;
    }
    // The check saw the file as it was before only when nothing changed it meanwhile.
    const bool unchanged = FileIdentity::of(path) == before;
    {
        const std::lock_guard lock(mutex_);
        if (Entry* entry = find(path, before); entry != nullptr && passed && unchanged) {
            entry->checking = false;
        } else {
            forget(path, before);
        }
    }
    checked_.notify_all();
}

}  // namespace poolscope
