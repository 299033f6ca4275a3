#include "OpenRecording.h"

#include "recording/RecordingReader.h"

namespace poolscope {

std::shared_ptr<OpenRecording> OpenRecording::of(const std::string& path,
                                                 const std::shared_ptr<OpenRecording>& kept) {
    const FileIdentity identity = FileIdentity::of(path);
    if (kept && kept->path_ == path && kept->identity_ == identity) {
        return kept;
    }
    return std::shared_ptr<OpenRecording>(new OpenRecording(path, identity));
}

OpenRecording::OpenRecording(const std::string& path, const FileIdentity& identity)
    : path_(path), identity_(identity), reader_(std::make_unique<RecordingReader>(path)) {}

OpenRecording::~OpenRecording() = default;

StackNames& OpenRecording::names() {
    if (!names_) {
        names_.emplace(StackNames::of(*reader_));
    }
    return *names_;
}

}  // namespace poolscope
