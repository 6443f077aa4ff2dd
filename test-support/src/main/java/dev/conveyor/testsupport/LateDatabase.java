package dev.conveyor.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The test database behind a port of its own that is "not up yet" until {@link #open()}: it accepts
 * each connection and closes it at once (the client sees a failed connection attempt, as while
 * PostgreSQL is starting or a proxy has no backend), counting the attempts; once opened, it
 * forwards every new connection to the test database. For tests of how a service starts before its
 * database, and of what it does when the database goes away again ({@link #cut()}).
 */
public final class LateDatabase implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final String url;
  private final Semaphore refused = new Semaphore(0);
  private final Set<Socket> forwarded = ConcurrentHashMap.newKeySet();
  private volatile boolean open;

  private LateDatabase(TestDatabase db) throws IOException {
    URI uri = URI.create(db.url().substring("jdbc:".length()));
    this.target = new InetSocketAddress(uri.getHost(), uri.getPort());
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.url =
        db.url()
            .replaceFirst(
                "//[^/]+/", "//" + server.getInetAddress().getHostAddress() + ":" + port() + "/");
    Thread.ofVirtual().name("late-database-accept").start(this::acceptLoop);
  }

  /** A closed ("not yet up") stand-in for {@code db}; close it after the test. */
  public static LateDatabase of(TestDatabase db) {
    try {
      return new LateDatabase(db);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JDBC URL of this stand-in: the test database's URL with this port. */
  public String url() {
    return url;
  }

  public int port() {
    return server.getLocalPort();
  }

  /**
   * Waits until {@code attempts} more connection attempts have been turned away.
   *
   * @return false if that did not happen within {@code timeout}
   */
  public boolean awaitRefusedAttempts(int attempts, Duration timeout) throws InterruptedException {
    return refused.tryAcquire(attempts, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** From now on, connections reach the test database. */
  public void open() {
    open = true;
  }

  /**
   * The database goes away: every forwarded connection is closed, and new ones are turned away
   * again until the next {@link #open()}.
   */
  public void cut() {
    open = false;
    forwarded.forEach(LateDatabase::closeQuietly);
  }

  @Override
  public void close() throws IOException {
    server.close();
    forwarded.forEach(LateDatabase::closeQuietly);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (!open) {
          refused.release();
          client.close();
          continue;
        }
        Socket backend = new Socket(target.getAddress(), target.getPort());
        forwarded.add(client);
        forwarded.add(backend);
        Thread.ofVirtual().start(() -> pump(client, backend));
        Thread.ofVirtual().start(() -> pump(backend, client));
      } catch (IOException e) {
        // The server socket was closed (end of test) or one connection failed: go on or stop.
      }
    }
  }

  private void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // The other side closed.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      forwarded.remove(from);
      forwarded.remove(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Already closed.
    }
  }
}
