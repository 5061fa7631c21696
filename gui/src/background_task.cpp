#include "background_task.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <algorithm>
#include <cmath>
#include <exception>

#include "pigmatch/error.h"

namespace pigmatch::gui {

void TaskProgress::report(double fraction, std::string_view text) {
  {
    const std::lock_guard lock(mutex_);
    fraction_ = std::isfinite(fraction) ? std::clamp(fraction, 0.0, 1.0) : 0.0;
    text_.assign(text);
  }
  if (on_report_)
    on_report_();
}

void TaskProgress::checkCancelled() const {
  if (cancelRequested())
    throw Error(ErrorCode::cancelled, "cancelled");
}

std::function<bool(double, std::string_view)> TaskProgress::callback() {
  return [this](double fraction, std::string_view text) {
    report(fraction, text);
    return !cancelRequested();
  };
}

std::pair<double, QString> TaskProgress::latest() const {
  const std::lock_guard lock(mutex_);
  return {fraction_, QString::fromStdString(text_)};
}

BackgroundTask::BackgroundTask(QObject* parent) : QObject(parent) {}

BackgroundTask::~BackgroundTask() {
  // Deliveries still queued for this object are discarded by ~QObject with it.
  stopWorker();
}

void BackgroundTask::stopWorker() {
  if (!worker_.joinable())
    return;
  progress_->requestCancel();
  worker_.join();
}

void BackgroundTask::cancel() {
  if (running_)
    progress_->requestCancel();
}

void BackgroundTask::launch(std::function<Delivery(TaskProgress&)> run) {
  stopWorker();
  const unsigned this_run = ++run_;
  running_ = true;
  progress_ = std::make_shared<TaskProgress>([this, this_run] { postProgress(this_run); });
  progress_posted_.store(false);
  emit started();
  // The worker holds its own reference to the progress: a later start() replaces progress_
  // only after joining this worker, but the lambda must not read the member from another thread.
  worker_ = std::thread([this, this_run, progress = progress_, run = std::move(run)] {
    try {
      Delivery delivery = run(*progress);
      if (progress->cancelRequested()) {
        // The user pressed Cancel: what they see must be "cancelled", even if the work
        // happened to finish before it looked at the flag.
        QMetaObject::invokeMethod(
            this, [this, this_run] { deliverError(this_run, true, QString()); },
            Qt::QueuedConnection);
        return;
      }
      QMetaObject::invokeMethod(
          this, [this, this_run, delivery = std::move(delivery)] { deliver(this_run, delivery); },
          Qt::QueuedConnection);
    } catch (const Error& e) {
      const bool was_cancelled = e.code() == ErrorCode::cancelled;
      const QString message = QString::fromUtf8(e.what());
      QMetaObject::invokeMethod(
          this,
          [this, this_run, was_cancelled, message] {
            deliverError(this_run, was_cancelled, message);
          },
          Qt::QueuedConnection);
    } catch (const std::exception& e) {
      const QString message = QString::fromUtf8(e.what());
      QMetaObject::invokeMethod(
          this, [this, this_run, message] { deliverError(this_run, false, message); },
          Qt::QueuedConnection);
    } catch (...) {
      QMetaObject::invokeMethod(
          this,
          [this, this_run] {
            deliverError(this_run, false, QStringLiteral("An unexpected error stopped the work."));
          },
          Qt::QueuedConnection);
    }
  });
}

void BackgroundTask::postProgress(unsigned run) {
  // One queued update at a time: a work loop reporting thousands of times must not flood the
  // UI's event queue; the update shows the latest report when it runs.
  if (progress_posted_.exchange(true))
    return;
  QMetaObject::invokeMethod(
      this,
      [this, run] {
        progress_posted_.store(false);
        if (run != run_ || !running_)
          return;
        const auto [fraction, text] = progress_->latest();
        emit progressed(fraction, text);
      },
      Qt::QueuedConnection);
}

void BackgroundTask::deliver(unsigned run, const Delivery& delivery) {
  if (run != run_)
    return;        // a later start() replaced this run
  worker_.join();  // it posted this as its last act
  running_ = false;
  try {
    delivery();
  } catch (const std::exception& e) {
    // The caller's on_result failed (on the UI thread): an error, not a crash in the event loop.
    if (run == run_) {
      emit failed(QString::fromUtf8(e.what()));
      emit finished();
    }
    return;
  }
  if (run == run_) {  // on_result did not start another run
    emit succeeded();
    emit finished();
  }
}

void BackgroundTask::deliverError(unsigned run, bool was_cancelled, const QString& message) {
  if (run != run_)
    return;
  worker_.join();
  running_ = false;
  if (was_cancelled)
    emit cancelled();
  else
    emit failed(message);
  emit finished();
}

TaskProgressWidget::TaskProgressWidget(QWidget* parent)
    : QWidget(parent),
      bar_(new QProgressBar(this)),
      text_(new QLabel(this)),
      cancel_(new QPushButton(QStringLiteral("Cancel"), this)) {
  bar_->setObjectName(QStringLiteral("taskProgressBar"));
  text_->setObjectName(QStringLiteral("taskProgressText"));
  cancel_->setObjectName(QStringLiteral("taskCancel"));
  bar_->setRange(0, 1000);
  bar_->setTextVisible(false);
  bar_->hide();
  cancel_->hide();
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(bar_, 1);
  layout->addWidget(text_, 2);
  layout->addWidget(cancel_);
}

void TaskProgressWidget::attach(BackgroundTask* task) {
  connect(task, &BackgroundTask::started, this, [this] {
    bar_->setValue(0);
    bar_->show();
    text_->clear();
    cancel_->setEnabled(true);
    cancel_->show();
  });
  connect(task, &BackgroundTask::progressed, this, [this](double fraction, const QString& text) {
    bar_->setValue(static_cast<int>(std::lround(fraction * 1000.0)));
    text_->setText(text);
  });
  connect(cancel_, &QPushButton::clicked, task, [this, task] {
    cancel_->setEnabled(false);
    text_->setText(QStringLiteral("Cancelling…"));
    task->cancel();
  });
  connect(task, &BackgroundTask::cancelled, this,
          [this] { text_->setText(QStringLiteral("Cancelled.")); });
  connect(task, &BackgroundTask::failed, this,
          [this] { text_->setText(QStringLiteral("Failed.")); });
  connect(task, &BackgroundTask::succeeded, this, [this] { text_->clear(); });
  connect(task, &BackgroundTask::finished, this, [this] {
    bar_->hide();
    cancel_->hide();
  });
}

}  // namespace pigmatch::gui
