// background_task — long work (chart detection, decoding a large photo, a big recipe search) off
// the UI thread, with progress and Cancel, its result or error delivered back on the UI thread.
//
//   auto* task = new BackgroundTask(this);
//   progressWidget->attach(task);
//   task->start(
//       [path](TaskProgress& progress) { return find_chart(path, progress.callback()); },
//       [this](Detection found) { showChart(found); });  // runs on the UI thread
//
// The work runs on a thread the task owns. It reports progress through TaskProgress and polls
// TaskProgress::checkCancelled() (or returns false from the libcore progress callback) between
// steps. A pigmatch::Error with ErrorCode::cancelled ends as cancelled(), any other exception as
// failed(message); nothing else is delivered for that run. Destroying the task (closing the
// window mid-run) asks the work to stop, joins the thread and drops what it would have delivered.
#pragma once

#include <QObject>
#include <QString>
#include <QWidget>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

class QLabel;
class QProgressBar;
class QPushButton;

namespace pigmatch::gui {

/// What the work sees: where to report progress, whether to stop. Thread-safe.
class TaskProgress {
 public:
  /// `on_report` is called (on the worker thread) after each report() to wake the UI.
  explicit TaskProgress(std::function<void()> on_report) : on_report_(std::move(on_report)) {}

  /// How far the work is, `fraction` in [0, 1] (clamped), and a short text ("finding the
  /// chart…"). Cheap: the UI shows the latest report, reports in between are coalesced.
  void report(double fraction, std::string_view text);
  /// True once cancel was requested.
  bool cancelRequested() const noexcept { return cancel_.load(std::memory_order_relaxed); }
  /// Throws pigmatch::Error(ErrorCode::cancelled) once cancel was requested.
  void checkCancelled() const;
  /// A libcore-style progress callback (fraction, stage) → keep going?, which reports and
  /// returns false once cancel was requested.
  std::function<bool(double, std::string_view)> callback();

  /// The latest report (UI side).
  std::pair<double, QString> latest() const;
  void requestCancel() noexcept { cancel_.store(true, std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancel_{false};
  mutable std::mutex mutex_;
  double fraction_ = 0.0;
  std::string text_;
  std::function<void()> on_report_;
};

class BackgroundTask : public QObject {
  Q_OBJECT

 public:
  explicit BackgroundTask(QObject* parent = nullptr);
  /// Requests cancel and joins the worker; nothing is delivered after this.
  ~BackgroundTask() override;
  BackgroundTask(const BackgroundTask&) = delete;
  BackgroundTask& operator=(const BackgroundTask&) = delete;

  /// Runs `work(TaskProgress&)` on a worker thread; when it returns, `on_result(result)` runs on
  /// this object's (the UI) thread, then succeeded() and finished() are emitted. For work that
  /// returns void, `on_result()` takes no argument. A run still going is cancelled and joined
  /// first (its result is dropped), so start() can block for as long as that work takes to
  /// notice the cancel.
  template <class Work, class OnResult>
  void start(Work work, OnResult on_result);

  /// Asks the work to stop; it ends as cancelled() when it notices (or succeeds if it finished
  /// first). Does not block.
  void cancel();
  /// True from start() until one of succeeded(), failed() or cancelled() was emitted.
  bool isRunning() const noexcept { return running_; }

 signals:
  void started();
  void progressed(double fraction, const QString& text);
  void succeeded();
  /// The work threw: `message` is the error's text (a pigmatch::Error's says what to do).
  void failed(const QString& message);
  void cancelled();
  /// After succeeded(), failed() or cancelled().
  void finished();

 private:
  // What the worker hands back to the UI thread: runs the caller's on_result there.
  using Delivery = std::function<void()>;

  void launch(std::function<Delivery(TaskProgress&)> run);
  void stopWorker();
  void deliver(unsigned run, const Delivery& delivery);
  void deliverError(unsigned run, bool was_cancelled, const QString& message);
  void postProgress(unsigned run);

  std::thread worker_;
  std::shared_ptr<TaskProgress> progress_;
  std::atomic<bool> progress_posted_{false};
  unsigned run_ = 0;  // which start() a delivery belongs to; older ones are dropped
  bool running_ = false;
};

template <class Work, class OnResult>
void BackgroundTask::start(Work work, OnResult on_result) {
  launch([work = std::move(work),
          on_result = std::move(on_result)](TaskProgress& progress) mutable -> Delivery {
    using Result = std::invoke_result_t<Work&, TaskProgress&>;
    if constexpr (std::is_void_v<Result>) {
      work(progress);
      return [on_result = std::move(on_result)]() mutable { on_result(); };
    } else {
      // shared_ptr: std::function needs a copyable callable, results may be move-only.
      auto result = std::make_shared<Result>(work(progress));
      return
          [on_result = std::move(on_result), result]() mutable { on_result(std::move(*result)); };
    }
  });
}

/// A progress bar, the latest progress text and a Cancel button, for one BackgroundTask at a
/// time. Visible while the task runs; afterwards the text says "Cancelled." or keeps the last
/// step, and the bar hides.
class TaskProgressWidget : public QWidget {
  Q_OBJECT

 public:
  explicit TaskProgressWidget(QWidget* parent = nullptr);
  /// Follows `task` (which must outlive this widget or be detached by its destruction).
  void attach(BackgroundTask* task);

  QProgressBar* bar() const noexcept { return bar_; }
  QLabel* text() const noexcept { return text_; }
  QPushButton* cancelButton() const noexcept { return cancel_; }

 private:
  QProgressBar* bar_;
  QLabel* text_;
  QPushButton* cancel_;
};

}  // namespace pigmatch::gui
