<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Lawsuit says Harris County jail held people for days past release on ICE detainers | Houston Chronicle</title>
<meta property="og:title" content="Lawsuit says Harris County jail held people for days past release on ICE detainers">
<meta property="og:site_name" content="Houston Chronicle">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2026-11-18T18:45:00-06:00">
<meta property="article:section" content="Houston">
<link rel="canonical" href="https://www.houstonchronicle.com/news/houston-texas/article/harris-county-jail-ice-detainers-21234567.php">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Lawsuit says Harris County jail held people for days past release on ICE detainers","datePublished":"2026-11-18T18:45:00-06:00","inLanguage":"en","publisher":{"@type":"Organization","name":"Houston Chronicle"}}</script>
</head>
<body>
<header class="site-header"><a class="logo" href="https://www.houstonchronicle.com/">Houston Chronicle</a><nav><ul><li><a href="/">Home</a></li><li><a href="/politics/">Politics</a></li><li><a href="/us/">U.S.</a></li><li><a href="/newsletters/">Newsletters</a></li></ul></nav></header>
<main>
<article class="article">
<h1 class="headline">Lawsuit says Harris County jail held people for days past release on ICE detainers</h1>
<p class="byline">By Chronicle staff · <time datetime="2026-11-18T18:45:00-06:00">2026-11-18</time></p>
<section class="article-body">
<p>A federal lawsuit filed Wednesday claims the Harris County jail kept at least 40 people in custody for up to four days after they should have been released, solely because ICE had lodged detainers against them.</p>
<p>The plaintiffs, who are identified by initials, say the jail never received judicial warrants. The sheriff's office said it does not comment on pending litigation.</p>
</section>
</article>
<aside class="related"><h2>More from Houston Chronicle</h2><ul><li><a href="/more">Trending now</a></li></ul></aside>
</main>
<footer class="site-footer"><p>© 2026 Houston Chronicle. All rights reserved.</p><a href="/privacy">Privacy policy</a> · <a href="/terms">Terms of use</a></footer>
</body>
</html>
