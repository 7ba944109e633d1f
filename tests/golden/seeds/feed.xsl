<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
    <xsl:variable name="subtitle" select="atom:feed/atom:subtitle | rss/channel/description"/>
    <xsl:variable name="self" select="(atom:feed/atom:link[@rel='self'] | rss/channel/atom:link[@rel='self'])[1]/@href"/>
    <!-- only one of the two exists, so concat() picks the home page of either format -->
    <xsl:variable name="home" select="concat(atom:feed/atom:link[@rel='alternate']/@href, rss/channel/link)"/>
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <style>
          body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d1d1f; }
          main { max-width: 42rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
          .note { background: #fff8d6; border: 1px solid #e8d77a; border-radius: 6px; padding: .75rem 1rem; }
          .note code { display: block; margin-top: .4rem; overflow-wrap: anywhere; font-size: .9rem; }
          article { border-bottom: 1px solid #eee; padding: .75rem 0; }
          article h2 { font-size: 1.1rem; margin: 0; }
          time { color: #666; font-size: .9rem; }
          a { color: #0b57d0; }
        </style>
      </head>
      <body>
        <main>
          <p class="note" id="subscribe"><strong>This is a web feed.</strong> To subscribe, copy this URL into your reader:
            <code><xsl:value-of select="$self"/></code>
          </p>
          <h1><xsl:value-of select="$title"/></h1>
          <p><xsl:value-of select="$subtitle"/></p>
          <xsl:if test="starts-with($home, 'https://') or starts-with($home, 'http://')">
            <p><a href="{$home}">Visit the site</a></p>
          </xsl:if>
          <xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <xsl:call-template name="entry">
      <xsl:with-param name="title" select="atom:title"/>
      <xsl:with-param name="link" select="atom:link[@rel='alternate']/@href"/>
      <xsl:with-param name="date" select="substring(atom:published, 1, 10)"/>
      <xsl:with-param name="summary" select="atom:summary"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="item">
    <xsl:call-template name="entry">
      <xsl:with-param name="title" select="title"/>
      <xsl:with-param name="link" select="link"/>
      <xsl:with-param name="date" select="pubDate"/>
      <xsl:with-param name="summary" select="description[not(contains(., '&lt;'))]"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="entry">
    <xsl:param name="title"/>
    <xsl:param name="link"/>
    <xsl:param name="date"/>
    <xsl:param name="summary"/>
    <article>
      <h2>
        <xsl:choose>
          <!-- only web links: a feed is data, and a javascript: URL must not become clickable -->
          <xsl:when test="starts-with($link, 'https://') or starts-with($link, 'http://')">
            <a href="{$link}"><xsl:value-of select="$title"/></a>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="$title"/></xsl:otherwise>
        </xsl:choose>
      </h2>
      <time><xsl:value-of select="$date"/></time>
      <xsl:if test="$summary">
        <p><xsl:value-of select="$summary"/></p>
      </xsl:if>
    </article>
  </xsl:template>
</xsl:stylesheet>
