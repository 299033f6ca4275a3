#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace poolscope {

// How many requests asked for how many bytes, in buckets that double, each bucket holding the
// sizes above its `fromBytes` up to its `toBytes`: a power of two ends a bucket, so the pool's
// thresholds (small buffers up to 1 MiB, 4 MiB chunks) fall on bucket edges.
class SizeHistogram {
public:
    struct Bucket {
        std::uint64_t fromBytes = 0;  // excluded; the first bucket, of 0 and 1 byte, includes 0
        std::uint64_t toBytes = 0;    // included
        std::uint64_t requests = 0;
        std::uint64_t bytes = 0;

        friend bool operator==(const Bucket&, const Bucket&) = default;
    };
    // A size where the pool changes what it does with a request.
    struct Threshold {
        std::string name;
        std::uint64_t bytes = 0;

        friend bool operator==(const Threshold&, const Threshold&) = default;
    };

    // The default allocator's thresholds, the chunk size being `chunkBytes` when known (> 0).
    static std::vector<Threshold> poolThresholds(std::int64_t chunkBytes);

    void add(std::uint64_t bytes);
    // Takes back a request added before.
    void remove(std::uint64_t bytes);
    // Every bucket's requests and bytes added, or taken back (those of `other` were added).
    SizeHistogram& operator+=(const SizeHistogram& other);
    SizeHistogram& operator-=(const SizeHistogram& other);
    // From the smallest bucket with a request to the largest, empty ones between included.
    std::vector<Bucket> buckets() const;
    std::uint64_t requests() const { return requests_; }

    // Bucket k holds the sizes in (2^(k-1), 2^k], bucket 0 sizes 0 and 1: the raw counts, for
    // a summary stored with a recording (AnalysisSummaryCodec) to keep and give back.
    static constexpr int kBuckets = 65;
    std::uint64_t requestsIn(int bucket) const { return counts_[bucket]; }
    std::uint64_t bytesIn(int bucket) const { return bytes_[bucket]; }
    void addToBucket(int bucket, std::uint64_t requests, std::uint64_t bytes);

    friend bool operator==(const SizeHistogram&, const SizeHistogram&) = default;

private:
    std::uint64_t counts_[kBuckets] = {};
    std::uint64_t bytes_[kBuckets] = {};
    std::uint64_t requests_ = 0;
};

}  // namespace poolscope
