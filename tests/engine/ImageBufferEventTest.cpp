// The events an image buffer's memory produces carry what a layout view and a leak table
// show: where each chunk lives, and which image (size, pixel type) the allocation holds.

#include <QtTest>

#include <memory>
#include <set>

#include "EventTestSupport.h"
#include "TestAllocators.h"
#include "diagnostics/EventStream.h"
#include "imaging/Configuration.h"
#include "imaging/Image.h"
#include "imaging/PixelTypeId.h"
#include "memory/PooledMemoryAllocator.h"

using namespace poolscope;
using namespace poolscope::testing;

class ImageBufferEventTest : public QObject {
    Q_OBJECT

private slots:
    void rentEventsCarryEachChunksAddress() {
        const auto subscription = EventStream::subscribe();
        // 64 x 32 Rgba32 rows of 256 bytes in 2 KiB chunks: 4 chunks of 8 rows.
        Configuration configuration;
        configuration.allocator =
            std::make_shared<PooledMemoryAllocator>(tinySettings(64, 2048, 8, 1 << 20));
        Image<Rgba32> image(configuration, 64, 32);
        std::set<std::uint64_t> chunkAddresses;
        for (const auto& chunk : image.pixelBuffer().chunks()) {
            chunkAddresses.insert(reinterpret_cast<std::uintptr_t>(chunk.pixels.data()));
        }
        QCOMPARE(chunkAddresses.size(), std::size_t{4});

        std::set<std::uint64_t> rentAddresses;
        for (const MemoryEvent& event : ofKind(drainAll(*subscription), MemoryEventKind::Rent)) {
            rentAddresses.insert(event.address());
        }
        QCOMPARE(rentAddresses, chunkAddresses);
    }

    void imageBufferCreatedNamesSizeAndPixelTypeOfEachAllocation() {
        const auto subscription = EventStream::subscribe();
        Configuration configuration;
        configuration.allocator =
            std::make_shared<PooledMemoryAllocator>(tinySettings(64, 2048, 8, 1 << 20));
        Image<L16> image(configuration, 40, 30);
        const std::vector<MemoryEvent> created =
            ofKind(drainAll(*subscription), MemoryEventKind::ImageBufferCreated);
        QCOMPARE(created.size(), std::size_t{1});
        QCOMPARE(created[0].imageWidth(), std::uint64_t{40});
        QCOMPARE(created[0].imageHeight(), std::uint64_t{30});
        QCOMPARE(created[0].pixelType(), PixelTypeId::L16);
        QCOMPARE(created[0].imageAllocationCount(), 1u);
        QCOMPARE(created[0].bytes, std::uint64_t{40 * 30 * 2});
        const std::vector<AllocationId> ids = image.pixelBuffer().allocationIds();
        QCOMPARE(ids.size(), std::size_t{1});
        QCOMPARE(created[0].allocationId, ids[0]);
    }

    void noImageEventsWithoutSubscribers() {
        Configuration configuration;
        configuration.allocator =
            std::make_shared<PooledMemoryAllocator>(tinySettings(64, 2048, 8, 1 << 20));
        Image<Rgba32> before(configuration, 8, 8);
        const auto subscription = EventStream::subscribe();
        QVERIFY(ofKind(drainAll(*subscription), MemoryEventKind::ImageBufferCreated).empty());
    }
};

QTEST_GUILESS_MAIN(ImageBufferEventTest)
#include "ImageBufferEventTest.moc"
