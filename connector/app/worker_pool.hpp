// A few threads for blocking work that must stay off the io threads (fetching a vacancy
// from an ATS API). Bounded: post() refuses work when the queue is full, so a slow ATS
// turns into 503s for the sender to retry rather than unbounded memory. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "connector/common/thread_name.hpp"

namespace mangfold::app {

class WorkerPool {
 public:
  // `name` labels the threads (thread_name.hpp).
  WorkerPool(int threads, std::size_t max_queue, std::string name = "mf-worker")
      : max_queue_(max_queue) {
    for (int i = 0; i < threads; ++i)
      threads_.emplace_back([this, name] {
        name_this_thread(name);
        loop();
      });
  }
  ~WorkerPool() { shutdown(); }
  // Stops taking tasks, runs what is queued, then joins; from then on post() refuses, so a
  // caller still holding the pool (the store's completions, Ingest::apply) runs its task
  // itself. Call it from outside the pool; a second call does nothing.
  void shutdown() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping; the task is then not run.
  bool post(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      if (stopping_ || queue_.size() >= max_queue_) return false;
      queue_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  std::size_t max_queue_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace mangfold::app
