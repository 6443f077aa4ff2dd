package dev.conveyor.queue;

/** Handlers written as lambdas in tests. */
final class Handlers {

  @FunctionalInterface
  interface Body {
    void run(JobContext context) throws Exception;
  }

  private Handlers() {}

  static JobHandler handler(String kind, Body body) {
    return handler(kind, null, body);
  }

  static JobHandler handler(String kind, RetryPolicy retryPolicy, Body body) {
    return new JobHandler() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public void handle(JobContext context) throws Exception {
        body.run(context);
      }

      @Override
      public RetryPolicy retryPolicy() {
        return retryPolicy;
      }
    };
  }
}
