package dev.conveyor.api.artifact;

import dev.conveyor.api.ApiProperties;
import jakarta.servlet.MultipartConfigElement;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Multipart uploads get the same size limit as raw ones ({@code conveyor.api.limits.upload}):
 * Tomcat parses a multipart body itself, past the request wrapper that counts raw bodies, so the
 * limit has to be its own. Parts are always spooled to a temporary file (threshold 0), so an upload
 * never sits in the heap. Replaces Spring Boot's default (1 MB per file).
 */
@Configuration(proxyBeanMethods = false)
class UploadLimits {

  @Bean
  MultipartConfigElement multipartConfigElement(ApiProperties properties) {
    long limit = properties.limits().upload().toBytes();
    return new MultipartConfigElement("", limit, limit, 0);
  }
}
