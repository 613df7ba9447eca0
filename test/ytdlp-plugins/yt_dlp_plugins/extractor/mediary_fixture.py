"""
An extractor for the local fixture video site of the integration specs (test/support/comment-site.ts):
a video page, its metadata as JSON, and its comments page by page. Loaded through YTDLP_PLUGIN_DIRS.
Like most extractors it ignores max_comments and comment_sort: the site's order and every comment.
"""
from yt_dlp.extractor.common import InfoExtractor
from yt_dlp.utils import ExtractorError, int_or_none


class MediaryFixtureIE(InfoExtractor):
    IE_NAME = 'mediaryfixture'
    _VALID_URL = r'(?P<base>https?://127\.0\.0\.\d+:\d+)/fixture-video/(?P<id>[\w-]+)'

    def _real_extract(self, url):
        base, video_id = self._match_valid_url(url).group('base', 'id')
        webpage = self._download_webpage(url, video_id)
        meta = self._download_json(f'{base}/api/videos/{video_id}', video_id, note='Downloading video metadata')
        if not meta.get('id'):
            raise ExtractorError('Video unavailable', expected=True)
        return {
            'id': meta['id'],
            'title': meta.get('title') or self._html_extract_title(webpage),
            'uploader': meta.get('uploader'),
            'uploader_id': meta.get('uploader_id'),
            'duration': int_or_none(meta.get('duration')),
            'view_count': int_or_none(meta.get('view_count')),
            'comment_count': int_or_none(meta.get('comment_count')),
            'formats': [{
                'url': f'{base}{meta["media_path"]}',
                'ext': 'mp4',
                'width': meta.get('width'),
                'height': meta.get('height'),
                'vcodec': 'h264',
                'acodec': 'aac',
            }],
            '__post_extractor': self.extract_comments(base, video_id, meta),
        }

    def _get_comments(self, base, video_id, meta):
        if not meta.get('comments_enabled'):
            raise self.CommentsDisabled()
        page = 1
        while page:
            data = self._download_json(
                f'{base}/api/videos/{video_id}/comments', video_id, note=f'Downloading comments page {page}', query={'page': page})
            yield from data['comments']
            page = data.get('next_page')
