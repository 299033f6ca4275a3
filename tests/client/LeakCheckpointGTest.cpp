// The memory-testing API in GoogleTest, as a project's own tests would use it: a checkpoint
// before the code under test, then EXPECT_TRUE(result) << result.message, whose failure lists
// each leak with its stack.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <poolscope/LeakCheckpoint.h>
#include <poolscope/imaging/Image.h>
#include <poolscope/imaging/Rgba32.h>

#include <memory>
#include <optional>
#include <vector>

namespace {

using poolscope::Image;
using poolscope::LeakCheckpoint;
using poolscope::Rgba32;

std::vector<std::unique_ptr<Image<Rgba32>>> g_thumbnailCache;

[[gnu::noinline]] void cacheThumbnailForever() {
    g_thumbnailCache.push_back(std::make_unique<Image<Rgba32>>(320, 240));
}

[[gnu::noinline]] void makeThumbnailAndDropIt() {
    const Image<Rgba32> thumbnail(320, 240);
}

void expectNoLeaks(const LeakCheckpoint& checkpoint, const poolscope::LeakFilter& filter = {}) {
    const poolscope::LeakCheckResult result = checkpoint.check(filter);
    EXPECT_TRUE(result) << result.message;
}

// EXPECT_NONFATAL_FAILURE's statement may not name locals.
std::optional<LeakCheckpoint> g_checkpoint;

class LeakCheckpointTest : public ::testing::Test {
protected:
    void TearDown() override {
        g_checkpoint.reset();
        g_thumbnailCache.clear();
    }
};

TEST_F(LeakCheckpointTest, cleanRun_passes) {
    const LeakCheckpoint checkpoint;
    makeThumbnailAndDropIt();
    expectNoLeaks(checkpoint);
}

TEST_F(LeakCheckpointTest, realLeak_failsListingItsStack) {
    g_checkpoint.emplace();
    cacheThumbnailForever();
    EXPECT_NONFATAL_FAILURE(expectNoLeaks(*g_checkpoint), "cacheThumbnailForever");
    EXPECT_NONFATAL_FAILURE(expectNoLeaks(*g_checkpoint), "1 allocation made since the checkpoint");
}

TEST_F(LeakCheckpointTest, realLeak_resultNamesSizeAndStack) {
    const LeakCheckpoint checkpoint;
    cacheThumbnailForever();
    const poolscope::LeakCheckResult result = checkpoint.check();
    ASSERT_FALSE(result);
    ASSERT_EQ(result.leaks.size(), 1u);
    EXPECT_EQ(result.leaks.front().bytes, 320u * 240u * sizeof(Rgba32));
    EXPECT_NE(result.message.find("  at "), std::string::npos);
    EXPECT_NE(result.message.find("cacheThumbnailForever"), std::string::npos);
}

TEST_F(LeakCheckpointTest, leakOfAnotherTag_passesTheTagFilter) {
    const LeakCheckpoint checkpoint;
    {
        const poolscope::AllocationTagScope tag("cache");
        cacheThumbnailForever();
    }
    expectNoLeaks(checkpoint, {"resize", 0});
    EXPECT_FALSE(checkpoint.check({"cache", 0}));
}

TEST_F(LeakCheckpointTest, leakBelowTheSizeFilter_passes) {
    const LeakCheckpoint checkpoint;
    cacheThumbnailForever();
    expectNoLeaks(checkpoint, {"", 1u << 30});
    EXPECT_FALSE(checkpoint.check({"", 1024}));
}

TEST_F(LeakCheckpointTest, leakMadeBeforeTheCheckpoint_isNotCounted) {
    cacheThumbnailForever();
    const LeakCheckpoint checkpoint;
    expectNoLeaks(checkpoint);
}

}  // namespace
