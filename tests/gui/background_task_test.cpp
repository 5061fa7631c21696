// BackgroundTask and TaskProgressWidget: progress reaches the UI thread, Cancel (the real
// button) stops the work within a bound and ends as "cancelled" rather than an error, an Error
// arrives as its message, a second start() replaces the first, and destroying the task mid-run
// joins the worker and delivers nothing. Also run under ThreadSanitizer (the tsan preset).
#include "background_task.h"

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "gui_fixture.h"
#include "pigmatch/error.h"

using namespace pigmatch;
using gui::BackgroundTask;
using gui::TaskProgress;
using gui::TaskProgressWidget;
using gui::test::pump_until;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

// Work that reports progress and polls the cancel flag every millisecond until told to stop or
// cancelled; it counts its iterations so a test can see it has really stopped.
struct Spinner {
  std::shared_ptr<std::atomic<int>> iterations = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<bool>> stopped = std::make_shared<std::atomic<bool>>(false);

  auto work() const {
    return [iterations = iterations, stopped = stopped](TaskProgress& progress) {
      struct MarkStopped {
        std::atomic<bool>& flag;
        ~MarkStopped() { flag = true; }
      } mark{*stopped};
      for (;;) {
        progress.checkCancelled();
        const int i = ++*iterations;
        progress.report((i % 100) / 100.0, "spinning");
        std::this_thread::sleep_for(milliseconds(1));
      }
      return 0;
    };
  }
};

}  // namespace

class BackgroundTaskTest : public QObject {
  Q_OBJECT

 private slots:
  void progressAndResultArriveOnTheUiThread();
  void cancelButtonStopsTheWork();
  void libcoreCallbackReturnsFalseOnCancel();
  void errorArrivesAsItsMessage();
  void secondStartReplacesTheFirst();
  void destructionMidRunIsClean();
  void destructionWithADeliveryQueuedIsClean();
};

void BackgroundTaskTest::progressAndResultArriveOnTheUiThread() {
  BackgroundTask task;
  TaskProgressWidget widget;
  widget.attach(&task);
  widget.show();
  QSignalSpy progressed(&task, &BackgroundTask::progressed);
  QSignalSpy succeeded(&task, &BackgroundTask::succeeded);
  QSignalSpy finished(&task, &BackgroundTask::finished);
  auto release = std::make_shared<std::atomic<bool>>(false);
  std::optional<int> result;
  QThread* result_thread = nullptr;
  const std::thread::id ui_thread = std::this_thread::get_id();
  auto work_thread = std::make_shared<std::thread::id>();

  task.start(
      [release, work_thread](TaskProgress& progress) {
        *work_thread = std::this_thread::get_id();
        progress.report(0.5, "halfway there");
        while (!*release)  // hold until the UI has shown the report
          std::this_thread::sleep_for(milliseconds(1));
        return 42;
      },
      [&](int value) {
        result = value;
        result_thread = QThread::currentThread();
      });
  QVERIFY(task.isRunning());
  QVERIFY(widget.bar()->isVisible());
  QVERIFY(widget.cancelButton()->isVisible());
  QVERIFY(pump_until([&] { return progressed.count() > 0; }));
  QCOMPARE(progressed.last().at(0).toDouble(), 0.5);
  QCOMPARE(progressed.last().at(1).toString(), QStringLiteral("halfway there"));
  QCOMPARE(widget.bar()->value(), 500);
  QCOMPARE(widget.text()->text(), QStringLiteral("halfway there"));
  QVERIFY(!result);  // the work is still held
  *release = true;
  QVERIFY(pump_until([&] { return finished.count() == 1; }));
  QCOMPARE(succeeded.count(), 1);
  QCOMPARE(result, std::optional<int>(42));
  QCOMPARE(result_thread, QThread::currentThread());
  QVERIFY(*work_thread != ui_thread);
  QVERIFY(!task.isRunning());
  QVERIFY(!widget.bar()->isVisible());
  QVERIFY(!widget.cancelButton()->isVisible());
}

void BackgroundTaskTest::cancelButtonStopsTheWork() {
  BackgroundTask task;
  TaskProgressWidget widget;
  widget.attach(&task);
  widget.show();
  QSignalSpy cancelled(&task, &BackgroundTask::cancelled);
  QSignalSpy failed(&task, &BackgroundTask::failed);
  QSignalSpy succeeded(&task, &BackgroundTask::succeeded);
  Spinner spinner;
  bool delivered = false;
  task.start(spinner.work(), [&](int) { delivered = true; });
  QVERIFY(pump_until([&] { return *spinner.iterations > 20; }));

  const auto clicked_at = steady_clock::now();
  QTest::mouseClick(widget.cancelButton(), Qt::LeftButton);
  QVERIFY(!widget.cancelButton()->isEnabled());
  QVERIFY(pump_until([&] { return cancelled.count() == 1; }, 2000));
  const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - clicked_at);
  QVERIFY2(took < milliseconds(500), qPrintable(QString::number(took.count())));
  QVERIFY(*spinner.stopped);
  const int iterations = *spinner.iterations;
  QTest::qWait(50);
  QCOMPARE(int(*spinner.iterations), iterations);  // the worker has really stopped
  QCOMPARE(failed.count(), 0);                     // cancelled is not an error
  QCOMPARE(succeeded.count(), 0);
  QVERIFY(!delivered);
  QVERIFY(!task.isRunning());
  QCOMPARE(widget.text()->text(), QStringLiteral("Cancelled."));
  QVERIFY(!widget.bar()->isVisible());
}

void BackgroundTaskTest::libcoreCallbackReturnsFalseOnCancel() {
  // libcore's progress callbacks return false to stop; the libcore function then throws
  // Error(cancelled), simulated here, which must end as cancelled() too.
  BackgroundTask task;
  QSignalSpy cancelled(&task, &BackgroundTask::cancelled);
  QSignalSpy failed(&task, &BackgroundTask::failed);
  auto calls = std::make_shared<std::atomic<int>>(0);
  task.start(
      [calls](TaskProgress& progress) {
        const auto keep_going = progress.callback();
        while (keep_going(0.1, "stage")) {
          ++*calls;
          std::this_thread::sleep_for(milliseconds(1));
        }
        throw Error(ErrorCode::cancelled, "chart detection was cancelled");
      },
      [] {});
  QVERIFY(pump_until([&] { return *calls > 5; }));
  task.cancel();
  QVERIFY(pump_until([&] { return cancelled.count() == 1; }, 2000));
  QCOMPARE(failed.count(), 0);
}

void BackgroundTaskTest::errorArrivesAsItsMessage() {
  BackgroundTask task;
  TaskProgressWidget widget;
  widget.attach(&task);
  QSignalSpy failed(&task, &BackgroundTask::failed);
  QSignalSpy cancelled(&task, &BackgroundTask::cancelled);
  const std::string message =
      "photo.jpg: no colour chart found. Photograph the chart flat and fully in frame.";
  bool delivered = false;
  task.start([message](TaskProgress&) -> int { throw Error(ErrorCode::not_found, message); },
             [&](int) { delivered = true; });
  QVERIFY(pump_until([&] { return failed.count() == 1; }));
  QCOMPARE(failed.at(0).at(0).toString(), QString::fromStdString(message));
  QCOMPARE(cancelled.count(), 0);
  QVERIFY(!delivered);
  QCOMPARE(widget.text()->text(), QStringLiteral("Failed."));

  // Not only pigmatch::Error: any exception is a message, never a crash.
  task.start([](TaskProgress&) { throw std::runtime_error("out of sorts"); }, [] {});
  QVERIFY(pump_until([&] { return failed.count() == 2; }));
  QCOMPARE(failed.at(1).at(0).toString(), QStringLiteral("out of sorts"));

  // An on_result that throws (on the UI thread) is a failure too.
  task.start([](TaskProgress&) { return 1; },
             [](int) { throw Error(ErrorCode::busy, "the database is busy"); });
  QVERIFY(pump_until([&] { return failed.count() == 3; }));
  QCOMPARE(failed.at(2).at(0).toString(), QStringLiteral("the database is busy"));
}

void BackgroundTaskTest::secondStartReplacesTheFirst() {
  BackgroundTask task;
  QSignalSpy finished(&task, &BackgroundTask::finished);
  QSignalSpy cancelled(&task, &BackgroundTask::cancelled);
  Spinner first;
  bool first_delivered = false;
  task.start(first.work(), [&](int) { first_delivered = true; });
  QVERIFY(pump_until([&] { return *first.iterations > 5; }));
  std::optional<int> second;
  task.start([](TaskProgress&) { return 7; }, [&](int value) { second = value; });
  QVERIFY(*first.stopped);  // start() joined the first run
  QVERIFY(pump_until([&] { return finished.count() == 1; }));
  QCOMPARE(second, std::optional<int>(7));
  QVERIFY(!first_delivered);
  QCOMPARE(cancelled.count(), 0);  // the replaced run reports nothing
}

void BackgroundTaskTest::destructionMidRunIsClean() {
  Spinner spinner;
  bool delivered = false;
  {
    auto task = std::make_unique<BackgroundTask>();
    TaskProgressWidget widget;
    widget.attach(task.get());
    task->start(spinner.work(), [&](int) { delivered = true; });
    QVERIFY(pump_until([&] { return *spinner.iterations > 5; }));
    const auto destroying = steady_clock::now();
    task.reset();  // the window closed mid-run
    QVERIFY(*spinner.stopped);
    QVERIFY(steady_clock::now() - destroying < milliseconds(500));
  }
  QTest::qWait(30);  // anything still queued would arrive now
  QVERIFY(!delivered);
}

void BackgroundTaskTest::destructionWithADeliveryQueuedIsClean() {
  // The work finished and queued its result, but the task dies before the event loop runs it.
  bool delivered = false;
  auto done = std::make_shared<std::atomic<bool>>(false);
  {
    BackgroundTask task;
    task.start(
        [done](TaskProgress& progress) {
          progress.report(1.0, "done");
          *done = true;
          return 3;
        },
        [&](int) { delivered = true; });
    while (!*done)
      std::this_thread::sleep_for(milliseconds(1));
  }
  QTest::qWait(30);
  QVERIFY(!delivered);
}

QTEST_MAIN(BackgroundTaskTest)
#include "background_task_test.moc"
