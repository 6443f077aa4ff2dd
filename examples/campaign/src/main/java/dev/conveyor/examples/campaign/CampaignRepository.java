package dev.conveyor.examples.campaign;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The campaign tables ({@code campaigns.*}). Each method runs the SQL file of its name, beside this
 * class; the files are read once, at start-up, so a missing one fails the start. Every call joins
 * the caller's transaction.
 */
@Repository
class CampaignRepository {

  /** One message as its send job needs it. */
  record Message(long id, long campaignId, String recipient, String status, String text) {
    boolean pending() {
      return "pending".equals(status);
    }
  }

  /** A message row just inserted. */
  record NewMessage(long id, String recipient) {}

  private static final String INSERT_CAMPAIGN = sql("insert_campaign.sql");
  private static final String INSERT_MESSAGES = sql("insert_messages.sql");
  private static final String FIND_MESSAGE = sql("find_message.sql");
  private static final String SETTLE_MESSAGE = sql("settle_message.sql");
  private static final String DELETE_FINISHED_CAMPAIGNS = sql("delete_finished_campaigns.sql");

  private final JdbcClient jdbc;

  CampaignRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  long insertCampaign(String name, String text, int messages) {
    return jdbc.sql(INSERT_CAMPAIGN)
        .param("name", name)
        .param("text", text)
        .param("pending", messages)
        .query(Long.class)
        .single();
  }

  List<NewMessage> insertMessages(long campaignId, List<String> recipients) {
    return jdbc.sql(INSERT_MESSAGES)
        .param("campaign_id", campaignId)
        .param("recipients", recipients.toArray(String[]::new))
        .query(NewMessage.class)
        .list();
  }

  Optional<Message> findMessage(long id) {
    return jdbc.sql(FIND_MESSAGE).param("id", id).query(Message.class).optional();
  }

  /**
   * Marks a pending message {@code sent} or {@code failed} and counts it off its campaign; false if
   * it was not pending (an earlier attempt settled it).
   */
  boolean settleMessage(long id, String status, @Nullable String error) {
    return jdbc.sql(SETTLE_MESSAGE)
            .param("id", id)
            .param("status", status)
            .param("error", error)
            .update()
        == 1;
  }

  /** Deletes up to {@code batch} campaigns finished more than {@code retention} ago. */
  int deleteFinishedCampaigns(Duration retention, int batch) {
    return jdbc.sql(DELETE_FINISHED_CAMPAIGNS)
        .param("retention_ms", retention.toMillis())
        .param("batch", batch)
        .update();
  }

  private static String sql(String name) {
    try (InputStream in = CampaignRepository.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("SQL file " + name + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
