// Linked statically (a test builds it -static): LD_PRELOAD cannot reach it.
int main(void) {
    return 0;
}
