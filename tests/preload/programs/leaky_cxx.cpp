// Leaks through operator new and operator new[], each from a function of its own.
#include <cstring>
#include <memory>
#include <string>

#define KEEP(pointer) __asm__ volatile("" : : "r"(pointer) : "memory")

struct Widget {
    long values[6];  // 48 bytes
};

__attribute__((noinline)) void leakNew() {
    Widget* widget = new Widget{};
    KEEP(widget);
}

__attribute__((noinline)) void leakNewArray() {
    int* numbers = new int[250];  // 1000 bytes
    std::memset(numbers, 0, 250 * sizeof(int));
    KEEP(numbers);
}

// Freed: not a leak.
__attribute__((noinline)) void tidy() {
    auto kept = std::make_unique<Widget>();
    KEEP(kept.get());
    std::string text(100, 'x');
    KEEP(text.data());
}

int main() {
    tidy();
    leakNew();
    leakNewArray();
    return 0;
}
