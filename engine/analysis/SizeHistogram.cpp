#include "analysis/SizeHistogram.h"

#include <bit>

#include "memory/PooledMemoryAllocator.h"

namespace poolscope {

namespace {

// Bucket k holds (2^(k-1), 2^k]; bucket 0 holds 0 and 1.
int bucketOf(std::uint64_t bytes) {
    return bytes <= 1 ? 0 : std::bit_width(bytes - 1);
}

std::uint64_t upperBound(int bucket) {
    return bucket >= 64 ? UINT64_MAX : std::uint64_t{1} << bucket;
}

}  // namespace

std::vector<SizeHistogram::Threshold> SizeHistogram::poolThresholds(std::int64_t chunkBytes) {
    const PooledMemoryAllocator::Settings defaults;
    return {
        {"small buffers", static_cast<std::uint64_t>(defaults.smallBufferThresholdBytes)},
        {"pool chunk",
         static_cast<std::uint64_t>(chunkBytes > 0 ? chunkBytes : defaults.poolChunkBytes)},
    };
}

void SizeHistogram::add(std::uint64_t bytes) {
    const int bucket = bucketOf(bytes);
    counts_[bucket] += 1;
    bytes_[bucket] += bytes;
    requests_ += 1;
}

void SizeHistogram::remove(std::uint64_t bytes) {
    const int bucket = bucketOf(bytes);
    counts_[bucket] -= 1;
    bytes_[bucket] -= bytes;
    requests_ -= 1;
}

SizeHistogram& SizeHistogram::operator+=(const SizeHistogram& other) {
    for (int bucket = 0; bucket < kBuckets; ++bucket) {
        addToBucket(bucket, other.counts_[bucket], other.bytes_[bucket]);
    }
    return *this;
}

SizeHistogram& SizeHistogram::operator-=(const SizeHistogram& other) {
    for (int bucket = 0; bucket < kBuckets; ++bucket) {
        counts_[bucket] -= other.counts_[bucket];
        bytes_[bucket] -= other.bytes_[bucket];
    }
    requests_ -= other.requests_;
    return *this;
}

void SizeHistogram::addToBucket(int bucket, std::uint64_t requests, std::uint64_t bytes) {
    counts_[bucket] += requests;
    bytes_[bucket] += bytes;
    requests_ += requests;
}

std::vector<SizeHistogram::Bucket> SizeHistogram::buckets() const {
    int first = 0;
    while (first < kBuckets && counts_[first] == 0) {
        ++first;
    }
    int last = kBuckets - 1;
    while (last >= first && counts_[last] == 0) {
        --last;
    }
    std::vector<Bucket> buckets;
    for (int bucket = first; bucket <= last; ++bucket) {
        buckets.push_back({bucket == 0 ? 0 : upperBound(bucket - 1), upperBound(bucket),
                           counts_[bucket], bytes_[bucket]});
    }
    return buckets;
}

}  // namespace poolscope
