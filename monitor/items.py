"""What a spider hands to the pipelines: the page as fetched plus what the source said of it."""

import scrapy


class ArticleItem(scrapy.Item):
    # From the spider
    source_id = scrapy.Field()
    source_name = scrapy.Field()
    url = scrapy.Field()  # the URL the page was fetched from (after redirects)
    original_url = scrapy.Field()  # the link as the source gave it
    outlet = scrapy.Field()  # publisher name when the source knows it (Google News)
    html = scrapy.Field()  # page body, or None when the page could not be fetched
    fetch_error = scrapy.Field()
    feed = scrapy.Field()  # {"title", "summary", "published", "updated"} from the listing/feed
    selectors = scrapy.Field()  # per-source article selectors
    language_hint = scrapy.Field()
    fetched_at = scrapy.Field()
    # Added by the pipelines
    extracted = scrapy.Field()
    judgement = scrapy.Field()
    facts = scrapy.Field()
