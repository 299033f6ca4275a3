// The program PreloadInterposerTest runs under the interposer. Each mode does a known sequence
// and prints what it did ("what address bytes" lines), so the test can match the records the
// interposer sent against the program's own account. Built without optimization, so every
// call it makes is a real call from its own functions.
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

namespace {

void say(const char* what, const void* address, unsigned long bytes) {
    std::printf("%s %p %lu\n", what, address, bytes);
}

struct Widget {
    long values[5];
};

// The test checks that the innermost frame of this allocation lies in this function.
__attribute__((noinline)) void* leakingFunction() {
    void* leaked = std::malloc(4242);
    say("leak", leaked, 4242);
    return leaked;
}

void heapSequence() {
    void* block = std::malloc(111);
    say("malloc", block, 111);
    std::free(block);
    say("free", block, 0);

    Widget* widget = new Widget;
    say("new", widget, sizeof(Widget));
    delete widget;
    say("delete", widget, 0);

    int* numbers = new int[25];
    say("newarray", numbers, 25 * sizeof(int));
    delete[] numbers;
    say("deletearray", numbers, 0);

    // Through a volatile, so that the compiler keeps realloc(NULL, n) a realloc.
    void* volatile nothing = nullptr;
    void* chain = std::realloc(nothing, 10);
    say("realloc", chain, 10);
    void* grown = std::realloc(chain, 1000);
    say("realloc", grown, 1000);
    void* larger = std::realloc(grown, 100000);
    say("realloc", larger, 100000);
    void* none = std::realloc(larger, 0);
    say("reallocfree", none, 0);

    void* zeroed = std::calloc(7, 9);
    say("calloc", zeroed, 63);
    std::free(zeroed);

    void* aligned = nullptr;
    if (posix_memalign(&aligned, 64, 200) == 0) {
        say("posix_memalign", aligned, 200);
    }
    std::free(aligned);
    void* alignedAlloc = aligned_alloc(128, 256);
    say("aligned_alloc", alignedAlloc, 256);
    std::free(alignedAlloc);
    void* memaligned = memalign(32, 48);
    say("memalign", memaligned, 48);
    std::free(memaligned);
    void* paged = valloc(4000);
    say("valloc", paged, 4000);
    std::free(paged);

    void* overAligned = ::operator new(96, std::align_val_t(64));
    say("new_aligned", overAligned, 96);
    ::operator delete(overAligned, std::align_val_t(64));
    char* nothrow = new (std::nothrow) char[33];
    say("newarray_nothrow", nothrow, 33);
    delete[] nothrow;

    leakingFunction();
    std::printf("leakfunction %p\n", reinterpret_cast<void*>(&leakingFunction));
}

void resourceSequence() {
    void* kept = mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap", kept, 8192);
    void* returned =
        mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap", returned, 4096);
    munmap(returned, 4096);
    say("munmap", returned, 4096);
    void* small = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void* grown = mremap(small, 4096, 65536, MREMAP_MAYMOVE);
    std::printf("mremap %p %p 65536\n", small, grown);

    const int leaked = open("/dev/null", O_RDONLY);
    std::printf("open %d /dev/null\n", leaked);
    const int closed = open("/dev/zero", O_RDONLY);
    std::printf("open %d /dev/zero\n", closed);
    close(closed);
    std::printf("close %d\n", closed);
    int ends[2];
    if (pipe(ends) == 0) {
        std::printf("pipe %d %d\n", ends[0], ends[1]);
        close(ends[0]);
        close(ends[1]);
    }
    const int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    std::printf("socket %d\n", sock);
    const int copy = dup(sock);
    std::printf("dup %d\n", copy);
    close(copy);
    close(sock);
    const int counter = eventfd(0, 0);
    std::printf("eventfd %d\n", counter);
    close(counter);
    std::FILE* file = std::fopen("/dev/null", "r");
    std::printf("fopen %d\n", fileno(file));
    std::fclose(file);
}

struct ThreadWork {
    int index;
    int pairs;
};

void* threadMain(void* argument) {
    const auto* work = static_cast<ThreadWork*>(argument);
    std::printf("thread %d %ld\n", work->index, static_cast<long>(syscall(SYS_gettid)));
    for (int i = 0; i < work->pairs; ++i) {
        void* block = std::malloc(1000 + work->index);
        std::free(block);
    }
    return nullptr;
}

void threads(int count, int pairs) {
    pthread_t handles[64];
    ThreadWork work[64];
    for (int i = 0; i < count && i < 64; ++i) {
        work[i] = {i, pairs};
        pthread_create(&handles[i], nullptr, threadMain, &work[i]);
    }
    for (int i = 0; i < count && i < 64; ++i) {
        pthread_join(handles[i], nullptr);
    }
}

void forkSequence() {
    void* before = std::malloc(501);
    say("before", before, 501);
    std::fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
        void* inChild = std::malloc(502);
        std::free(inChild);
        _exit(0);
    }
    std::printf("child %d\n", child);
    waitpid(child, nullptr, 0);
    void* after = std::malloc(503);
    say("after", after, 503);
}

void* allocateWhileForking(void*) {
    for (int i = 0; i < 20000; ++i) {
        void* block = std::malloc(611);
        std::free(block);
    }
    return nullptr;
}

// A child that goes on allocating, leaves a block and a descriptor, and ends through exit()
// (its exit handlers and the libraries' destructors run), while the parent allocates too: on a
// second thread across the fork (fork only; after _Fork a multithreaded program's child may
// not call malloc), and on its own while the child runs.
void forkAndAllocateInBoth(bool withoutHandlers) {
    void* before = std::malloc(601);
    say("before", before, 601);
    std::fflush(stdout);
    pthread_t worker;
    if (!withoutHandlers) {
        pthread_create(&worker, nullptr, allocateWhileForking, nullptr);
    }
    const pid_t child = withoutHandlers ? _Fork() : fork();
    if (child == 0) {
        for (int i = 0; i < 10000; ++i) {
            void* block = std::malloc(602);
            std::free(block);
        }
        [[maybe_unused]] void* kept = std::malloc(603);
        [[maybe_unused]] const int fd = open("/dev/null", O_RDONLY);
        std::exit(0);
    }
    std::printf("child %d\n", child);
    for (int i = 0; i < 5000; ++i) {
        void* block = std::malloc(604);
        std::free(block);
    }
    int status = 0;
    waitpid(child, &status, 0);
    std::printf("child-status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    if (!withoutHandlers) {
        pthread_join(worker, nullptr);
    }
    void* after = std::malloc(605);
    say("after", after, 605);
}

// The launcher's descriptor number is free again once the interposer moved its stream to the
// top of the table; here it holds a pipe of the program's own when the program starts another
// (posix_spawn, or system()), which inherits the stream's variables and that pipe. The started
// program's interposer must leave the pipe alone: prints how many bytes arrived in it.
void startWithAPipeAtTheStreamsNumber(bool viaSystem) {
    const int number = std::atoi(std::getenv("POOLSCOPE_PRELOAD_FD"));
    int ends[2];
    if (pipe(ends) != 0) {
        return;
    }
    const int readEnd = fcntl(ends[0], F_DUPFD_CLOEXEC, number + 1);
    close(ends[0]);
    if (ends[1] != number) {
        dup2(ends[1], number);
        close(ends[1]);
    }
    std::fflush(stdout);
    if (viaSystem) {
        std::printf("status %d\n", std::system("echo started"));
    } else {
        char* arguments[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                             const_cast<char*>("echo started"), nullptr};
        pid_t child = -1;
        posix_spawn(&child, "/bin/sh", nullptr, nullptr, arguments, environ);
        int status = 0;
        waitpid(child, &status, 0);
        std::printf("status %d\n", status);
    }
    close(number);
    fcntl(readEnd, F_SETFL, O_NONBLOCK);
    char buffer[4096];
    long arrived = 0;
    for (ssize_t got; (got = read(readEnd, buffer, sizeof buffer)) > 0;) {
        arrived += got;
    }
    std::printf("foreign-bytes %ld\n", arrived);
}

void closeEverything(bool range) {
    if (range) {
        close_range(3, ~0u, 0);
    } else {
        for (int fd = 3; fd < 4096; ++fd) {
            close(fd);
        }
    }
    void* after = std::malloc(777);
    say("after", after, 777);
    const int fd = open("/dev/null", O_RDONLY);
    std::printf("open %d /dev/null\n", fd);
}

// Replaces the numbers at the top of the table, where the interposer keeps its stream.
void replaceTopDescriptors() {
    const int null = open("/dev/null", O_RDONLY);
    for (int fd = 1023; fd >= 960; --fd) {
        dup2(null, fd);
    }
    void* after = std::malloc(888);
    say("after", after, 888);
}

void loadPlugin(const char* path) {
    void* plugin = dlopen(path, RTLD_NOW);
    auto allocate = reinterpret_cast<void* (*)()>(dlsym(plugin, "preload_probe_plugin_allocate"));
    void* block = allocate();
    say("plugin", block, 555);
}

void crash() {
    void* block = std::malloc(321);
    say("malloc", block, 321);
    std::fflush(stdout);
    *static_cast<volatile int*>(nullptr) = 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const char* mode = argc > 1 ? argv[1] : "heap";
    if (std::strcmp(mode, "heap") == 0) {
        heapSequence();
    } else if (std::strcmp(mode, "resources") == 0) {
        resourceSequence();
    } else if (std::strcmp(mode, "threads") == 0 && argc > 3) {
        threads(std::atoi(argv[2]), std::atoi(argv[3]));
    } else if (std::strcmp(mode, "fork") == 0) {
        forkSequence();
    } else if (std::strcmp(mode, "fork-both") == 0) {
        forkAndAllocateInBoth(false);
    } else if (std::strcmp(mode, "underscore-fork-both") == 0) {
        forkAndAllocateInBoth(true);
    } else if (std::strcmp(mode, "spawn-pipe") == 0) {
        startWithAPipeAtTheStreamsNumber(false);
    } else if (std::strcmp(mode, "system-pipe") == 0) {
        startWithAPipeAtTheStreamsNumber(true);
    } else if (std::strcmp(mode, "closeall") == 0) {
        closeEverything(false);
    } else if (std::strcmp(mode, "closerange") == 0) {
        closeEverything(true);
    } else if (std::strcmp(mode, "dup2top") == 0) {
        replaceTopDescriptors();
    } else if (std::strcmp(mode, "dlopen") == 0 && argc > 2) {
        loadPlugin(argv[2]);
    } else if (std::strcmp(mode, "crash") == 0) {
        crash();
    } else if (std::strcmp(mode, "exec") == 0) {
        void* block = std::malloc(77);
        say("before", block, 77);
        std::fflush(stdout);
        execl(argv[0], argv[0], "execd", static_cast<char*>(nullptr));
        return 3;
    } else if (std::strcmp(mode, "exec-unnamed") == 0) {
        // An environment that does not name the stream: the new image cannot find it.
        std::fflush(stdout);
        std::vector<char*> kept;
        for (char** entry = environ; *entry != nullptr; ++entry) {
            if (std::strncmp(*entry, "POOLSCOPE_PRELOAD_FD=", 21) != 0) {
                kept.push_back(*entry);
            }
        }
        kept.push_back(nullptr);
        char* arguments[] = {argv[0], const_cast<char*>("execd"), nullptr};
        execve(argv[0], arguments, kept.data());
        return 3;
    } else if (std::strcmp(mode, "vfork-exec") == 0) {
        // As Python's subprocess starts a program: a vfork child that execs, and succeeds.
        const pid_t child = vfork();
        if (child == 0) {
            execl("/bin/true", "true", static_cast<char*>(nullptr));
            _exit(127);
        }
        waitpid(child, nullptr, 0);
        void* after = std::malloc(999);
        say("after", after, 999);
    } else if (std::strcmp(mode, "exec-fails") == 0) {
        execl("/nonexistent/program", "program", static_cast<char*>(nullptr));
        const int error = errno;
        void* after = std::malloc(888);
        say("after", after, 888);
        std::printf("errno %d\n", error);
    } else if (std::strcmp(mode, "vfork") == 0) {
        // A child that shares the program's memory, fails to exec and leaves with _exit.
        const pid_t child = vfork();
        if (child == 0) {
            execl("/nonexistent/program", "program", static_cast<char*>(nullptr));
            _exit(127);
        }
        waitpid(child, nullptr, 0);
        void* after = std::malloc(999);
        say("after", after, 999);
    } else if (std::strcmp(mode, "execd") == 0) {
        void* block = std::malloc(64);
        say("execd", block, 64);
        std::free(block);
    } else if (std::strcmp(mode, "exit") == 0 && argc > 2) {
        std::exit(std::atoi(argv[2]));
    } else if (std::strcmp(mode, "return") == 0 && argc > 2) {
        return std::atoi(argv[2]);
    } else {
        return 2;
    }
    return 0;
}
