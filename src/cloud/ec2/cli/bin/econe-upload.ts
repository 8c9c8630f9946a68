#!/usr/bin/env node
import { uploadImage } from '../upload.js';
import { main } from '../run.js';

main({
  name: 'econe-upload',
  description: 'Uploads an image file (OpenNebula\'s UploadImage, a signed multipart POST); register it with econe-register.',
  args: [{ name: 'IMAGE-PATH' }],
  async run(ctx) {
    const imageId = await uploadImage(ctx.url, await ctx.credentials(), ctx.args[0]!);
    ctx.print(`Success: ImageId ${imageId}`);
  },
});
