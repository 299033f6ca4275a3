#include "analysis/WhatIfBufferRuns.h"

#include <algorithm>
#include <exception>
#include <limits>
#include <optional>
#include <thread>

#include "analysis/AnalysisResumeCodec.h"
#include "recording/RecordingError.h"
#include "recording/RecordingEventBlocks.h"
#include "recording/RecordingReader.h"
#include "recording/SqliteDatabase.h"

namespace poolscope {

namespace {

constexpr std::size_t kRunChunk = 4096;

}  // namespace

const WhatIfBuffer* WhatIfBufferRuns::Run::head() {
    if (at == chunk.size()) {
        if (!stream) {
            return nullptr;
        }
        stream->next(chunk, kRunChunk);
        at = 0;
        if (chunk.empty()) {
            stream.reset();
            return nullptr;
        }
    }
    return &chunk[at];
}

void WhatIfBufferRuns::add(std::unique_ptr<AnalysisSummaryCodec::WhatIfStream> stream) {
    size_ += stream->size();
    Run run;
    run.stream = std::move(stream);
    runs_.push_back(std::move(run));
}

std::optional<std::vector<std::vector<unsigned char>>> WhatIfBufferRuns::readPoints(
    const RecordingReader& reader, const std::vector<RecordedResumePoint>& points,
    std::int64_t last, SqliteDatabase* connection) {
    std::vector<std::vector<unsigned char>> parts;
    for (const RecordedResumePoint& point : points) {
        if (point.lastSequence > last) {
            break;
        }
        constexpr int kKept = AnalysisResumeCodec::kWhatIfKeptEncoding;
        std::optional<RecordedSummary> part =
            connection != nullptr ? reader.resumePart(kKept, point.lastSequence, *connection)
                                  : reader.resumePart(kKept, point.lastSequence);
        if (!part) {
            return std::nullopt;
        }
        parts.push_back(std::move(part->data));
    }
    return parts;
}

bool WhatIfBufferRuns::addPoints(const RecordingReader& reader, std::int64_t last) {
    std::optional<std::vector<std::vector<unsigned char>>> parts = readPoints(
        reader, reader.resumePoints(AnalysisResumeCodec::kWhatIfKeptEncoding), last, nullptr);
    if (!parts) {
        return false;
    }
    openPoints(*parts, reader.path());
    return true;
}

void WhatIfBufferRuns::openPoints(const std::vector<std::vector<unsigned char>>& parts,
                                  const std::string& path) {
    // Each part is decompressed whole as its stream opens (its buffers are stored a column at a
    // time): the parts of a 1 GB recording take a second on one core, so the cores share them.
    std::vector<std::unique_ptr<AnalysisSummaryCodec::WhatIfStream>> streams(parts.size());
    std::vector<std::exception_ptr> errors(parts.size());
    const auto open = [&](std::size_t first, std::size_t step) {
        for (std::size_t i = first; i < parts.size(); i += step) {
            try {
                streams[i] = std::make_unique<AnalysisSummaryCodec::WhatIfStream>(parts[i], path);
            } catch (...) {
                errors[i] = std::current_exception();
            }
        }
    };
    const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
    std::vector<std::thread> openers;
    for (std::size_t t = 1; t < threads; ++t) {
        openers.emplace_back(open, t, threads);
    }
    open(0, threads);
    for (std::thread& opener : openers) {
        opener.join();
    }
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (errors[i]) {
            std::rethrow_exception(errors[i]);
        }
        add(std::move(streams[i]));
    }
}

std::unique_ptr<WhatIfBufferRuns> WhatIfBufferRuns::ofSummary(const RecordingReader& reader) {
    auto runs = std::make_unique<WhatIfBufferRuns>();
    try {
        if (const std::optional<RecordedSummary> whole =
                reader.summary(AnalysisSummaryCodec::kWhatIfEncoding)) {
            runs->add(
                std::make_unique<AnalysisSummaryCodec::WhatIfStream>(whole->data, reader.path()));
        } else if (const std::optional<RecordedSummary> rest =
                       reader.summary(AnalysisSummaryCodec::kWhatIfRestEncoding)) {
            const AnalysisResumeCodec::WhatIfRest split =
                AnalysisResumeCodec::splitWhatIfRest(rest->data, reader.path());
            // Every point the summarizer stored: their buffers and the rest's are all of them.
            if (!runs->addPoints(reader, reader.lastEventSequence()) ||
                runs->size_ != split.keptAtPoints) {
                return nullptr;
            }
            runs->add(
                std::make_unique<AnalysisSummaryCodec::WhatIfStream>(split.part, reader.path()));
        } else {
            return nullptr;
        }
    } catch (const RecordingError&) {
        return nullptr;  // a damaged summary is only a faster way to what a pass finds
    }
    runs->header_ = runs->runs_.back().stream->header();
    return runs;
}

std::unique_ptr<WhatIfBufferRuns> WhatIfBufferRuns::resumed(const RecordingReader& reader) {
    const std::vector<RecordedResumePoint> points =
        reader.resumePoints(AnalysisResumeCodec::kWhatIfStateEncoding);
    if (points.empty()) {
        return nullptr;
    }
    const std::int64_t last = points.back().lastSequence;
    auto runs = std::make_unique<WhatIfBufferRuns>();
    std::optional<WhatIfCollector> collector;
    std::vector<RecordedResumePoint> kept;
    try {
        const std::optional<RecordedSummary> state =
            reader.resumePart(AnalysisResumeCodec::kWhatIfStateEncoding, last);
        if (!state) {
            return nullptr;
        }
        collector.emplace(AnalysisResumeCodec::decodeWhatIfState(state->data, reader.path()));
        // Every point up to the last holds the buffers kept since the one before: a point
        // missing would lose its buffers.
        kept = reader.resumePoints(AnalysisResumeCodec::kWhatIfKeptEncoding);
        if (kept.size() < points.size() || kept[points.size() - 1].lastSequence != last) {
            return nullptr;
        }
    } catch (const RecordingError&) {
        return nullptr;  // a damaged point is only a faster way to what a pass finds
    }
    // The points' parts are read on a connection of their own while the pass reads the blocks
    // on the reader's, which serves one thread at a time.
    std::unique_ptr<SqliteDatabase> connection;
    try {
        connection = reader.otherConnection();
    } catch (const RecordingError&) {
        return nullptr;
    }
    // The events after the point, numbered on from it (a version 3 recording numbers its events
    // without a gap), on a thread of its own while the points' buffers are read.
    WhatIfEvents tail;
    std::exception_ptr passFailed;
    std::thread passing([&] {
        try {
            std::int64_t sequence = last + 1;
            RecordingEventBlocks::forEach(
                reader,
                [&](std::span<const MemoryEvent> events) {
                    for (const MemoryEvent& event : events) {
                        collector->add(sequence++, event);
                    }
                    return true;
                },
                0, last, std::numeric_limits<std::int64_t>::max(),
                EventBlockCodec::Fields::Allocations);
            tail = collector->finish();
        } catch (...) {
            passFailed = std::current_exception();
        }
    });
    bool pointsRead = false;
    std::exception_ptr readingFailed;
    try {
        if (const std::optional<std::vector<std::vector<unsigned char>>> parts =
                readPoints(reader, kept, last, connection.get())) {
            runs->openPoints(*parts, reader.path());
            pointsRead = runs->runs_.size() == points.size();
        }
    } catch (const RecordingError&) {
        // A damaged point: every event instead.
    } catch (...) {
        readingFailed = std::current_exception();  // thrown once the pass is joined
    }
    passing.join();
    for (const std::exception_ptr& failed : {passFailed, readingFailed}) {
        if (failed) {
            std::rethrow_exception(failed);
        }
    }
    if (!pointsRead) {
        return nullptr;
    }
    Run passed;
    passed.chunk = std::move(tail.buffers);
    runs->size_ += passed.chunk.size();
    runs->runs_.push_back(std::move(passed));
    runs->header_ = std::move(tail);
    return runs;
}

void WhatIfBufferRuns::next(std::vector<WhatIfBuffer>& chunk, std::size_t most) {
    chunk.clear();
    // A few runs (a point every 8 million events or more), found by looking at each. Most
    // buffers live briefly, so a run's buffers were mostly made just before its point: the
    // earliest run gives every buffer made before the next run's first, without a look at the
    // others for each.
    while (chunk.size() < most) {
        Run* earliest = nullptr;
        std::int64_t first = std::numeric_limits<std::int64_t>::max();
        std::int64_t second = first;
        for (Run& run : runs_) {
            const WhatIfBuffer* head = run.head();
            if (head == nullptr) {
                continue;
            }
            if (head->madeSequence < first) {
                second = first;
                first = head->madeSequence;
                earliest = &run;
            } else if (head->madeSequence < second) {
                second = head->madeSequence;
            }
        }
        if (earliest == nullptr) {
            return;
        }
        for (const WhatIfBuffer* head = earliest->head();
             head != nullptr && head->madeSequence < second && chunk.size() < most;
             head = earliest->head()) {
            chunk.push_back(*head);
            ++earliest->at;
        }
    }
}

WhatIfEvents WhatIfBufferRuns::all() {
    WhatIfEvents events = header_;
    std::vector<WhatIfBuffer> chunk;
    events.buffers.reserve(size_);
    for (next(chunk, kRunChunk); !chunk.empty(); next(chunk, kRunChunk)) {
        events.buffers.insert(events.buffers.end(), chunk.begin(), chunk.end());
    }
    return events;
}

}  // namespace poolscope
