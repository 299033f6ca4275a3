#include "PreloadRun.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <sstream>
#include <thread>

extern char** environ;

namespace poolscope::test {

namespace {

void drain(int fd, bool& open, const std::function<void(std::span<const unsigned char>)>& use) {
    // As much as a full pipe holds, so that a fast program waits on the reader little.
    static thread_local std::vector<unsigned char> buffer(1 << 20);
    const ssize_t got = read(fd, buffer.data(), buffer.size());
    if (got > 0) {
        use(std::span<const unsigned char>(buffer.data(), static_cast<std::size_t>(got)));
    } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        open = false;
    }
}

}  // namespace

PreloadRun PreloadRun::start(const std::string& interposer, const std::string& program,
                             const std::vector<std::string>& arguments,
                             const std::vector<std::pair<std::string, std::string>>& environment,
                             Reader reader, PreloadRecordVisitor* visitor) {
    PreloadRun run;
    int stream[2];
    int output[2];
    if (pipe2(stream, O_CLOEXEC) != 0 || pipe2(output, O_CLOEXEC) != 0) {
        run.streamError = "no pipe";
        return run;
    }
    // getenv finds the first: the caller's variables come before the ones set here.
    std::vector<std::string> variables;
    for (const auto& [name, value] : environment) {
        variables.push_back(name + "=" + value);
    }
    for (char** variable = environ; *variable != nullptr; ++variable) {
        if (std::strncmp(*variable, "LD_PRELOAD=", 11) != 0 &&
            std::strncmp(*variable, "POOLSCOPE_PRELOAD_", 18) != 0) {
            variables.emplace_back(*variable);
        }
    }
    variables.push_back("LD_PRELOAD=" + interposer);
    // A test's reader on a busy machine may be kept off the processor for longer than the
    // default: nothing is dropped unless the test asks for the default (first one wins).
    variables.push_back(std::string(PreloadWire::kDropAfterVariable) + "=60000");
    variables.push_back(std::string(PreloadWire::kFdVariable) + "=" + std::to_string(stream[1]));
    struct stat streamStatus {};
    if (fstat(stream[1], &streamStatus) == 0) {
        variables.push_back(std::string(PreloadWire::kStreamVariable) + "=" +
                            std::to_string(streamStatus.st_dev) + ":" +
                            std::to_string(streamStatus.st_ino));
    }
    std::vector<char*> environmentPointers;
    for (std::string& variable : variables) {
        environmentPointers.push_back(variable.data());
    }
    environmentPointers.push_back(nullptr);
    std::vector<std::string> argumentStrings{program};
    argumentStrings.insert(argumentStrings.end(), arguments.begin(), arguments.end());
    std::vector<char*> argumentPointers;
    for (std::string& argument : argumentStrings) {
        argumentPointers.push_back(argument.data());
    }
    argumentPointers.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 onto its own number clears close-on-exec: the child keeps the stream's write end.
    posix_spawn_file_actions_adddup2(&actions, stream[1], stream[1]);
    posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
    pid_t child = -1;
    const int failed = posix_spawn(&child, program.c_str(), &actions, nullptr,
                                   argumentPointers.data(), environmentPointers.data());
    posix_spawn_file_actions_destroy(&actions);
    close(stream[1]);
    close(output[1]);
    if (failed != 0) {
        close(stream[0]);
        close(output[0]);
        run.streamError = "could not start " + program;
        return run;
    }

    PreloadStreamDecoder decoder(visitor != nullptr ? *visitor : run.records);
    bool streamOpen = true;
    bool outputOpen = true;
    while (streamOpen || outputOpen) {
        pollfd waits[2] = {{streamOpen ? stream[0] : -1, POLLIN, 0},
                           {outputOpen ? output[0] : -1, POLLIN, 0}};
        if (poll(waits, 2, -1) < 0) {
            continue;
        }
        if (waits[0].revents != 0) {
            drain(stream[0], streamOpen, [&](std::span<const unsigned char> bytes) {
                if (!run.streamError.empty()) {
                    return;
                }
                try {
                    decoder.feed(bytes);
                } catch (const PreloadStreamError& error) {
                    run.streamError = error.what();
                }
            });
            // Past the hello: the program is tracking.
            if (reader != Reader::Prompt && decoder.offset() > 0) {
                if (reader == Reader::Leaves) {
                    close(stream[0]);
                    stream[0] = -1;
                    streamOpen = false;
                } else {
                    std::this_thread::sleep_for(std::chrono::seconds(2));
                }
                reader = Reader::Prompt;
            }
        }
        if (waits[1].revents != 0) {
            drain(output[0], outputOpen, [&](std::span<const unsigned char> bytes) {
                run.output.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            });
        }
    }
    if (stream[0] >= 0) {
        close(stream[0]);
    }
    close(output[0]);
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    run.cpuSeconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    if (WIFEXITED(status)) {
        run.exitCode = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        run.signal = WTERMSIG(status);
    }
    run.endedCleanly = decoder.atBoundary();
    return run;
}

std::vector<std::vector<std::string>> PreloadRun::lines(const std::string& word) const {
    std::vector<std::vector<std::string>> found;
    std::istringstream text(output);
    std::string line;
    while (std::getline(text, line)) {
        std::istringstream fields(line);
        std::vector<std::string> parts;
        std::string part;
        while (fields >> part) {
            parts.push_back(part);
        }
        if (!parts.empty() && parts[0] == word) {
            found.push_back(parts);
        }
    }
    return found;
}

}  // namespace poolscope::test
