# Modeled on: https://github.com/yunjey/pytorch-tutorial/blob/master/tutorials/03-advanced/generative_adversarial_network/main.py
# (written for this corpus after that source's example; not copied)
# Adapted: MNIST becomes random images; no sample directory or save_image; 2 epochs.
import os

import torch
import torch.nn as nn

torch.manual_seed(0)
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
latent_size, hidden_size, image_size = 8, 32, 64
num_epochs, batch_size = 2, 16
print(os.sep in '/tmp/samples')
data_loader = torch.utils.data.DataLoader(
    dataset=torch.utils.data.TensorDataset(torch.rand(48, 1, 8, 8) * 2 - 1, torch.zeros(48)),
    batch_size=batch_size, shuffle=True)

D = nn.Sequential(nn.Linear(image_size, hidden_size), nn.LeakyReLU(0.2),
                  nn.Linear(hidden_size, hidden_size), nn.LeakyReLU(0.2),
                  nn.Linear(hidden_size, 1), nn.Sigmoid()).to(device)
G = nn.Sequential(nn.Linear(latent_size, hidden_size), nn.ReLU(),
                  nn.Linear(hidden_size, hidden_size), nn.ReLU(),
                  nn.Linear(hidden_size, image_size), nn.Tanh()).to(device)
criterion = nn.BCELoss()
d_optimizer = torch.optim.Adam(D.parameters(), lr=0.0002)
g_optimizer = torch.optim.Adam(G.parameters(), lr=0.0002)


def denorm(x):
    return ((x + 1) / 2).clamp(0, 1)


def reset_grad():
    d_optimizer.zero_grad()
    g_optimizer.zero_grad()


total_step = len(data_loader)
for epoch in range(num_epochs):
    for i, (images, _) in enumerate(data_loader):
        images = images.reshape(batch_size, -1).to(device)
        real_labels = torch.ones(batch_size, 1).to(device)
        fake_labels = torch.zeros(batch_size, 1).to(device)
        # train the discriminator
        outputs = D(images)
        d_loss_real = criterion(outputs, real_labels)
        real_score = outputs
        z = torch.randn(batch_size, latent_size).to(device)
        fake_images = G(z)
        outputs = D(fake_images)
        d_loss_fake = criterion(outputs, fake_labels)
        fake_score = outputs
        d_loss = d_loss_real + d_loss_fake
        reset_grad()
        d_loss.backward()
        d_optimizer.step()
        # train the generator
        z = torch.randn(batch_size, latent_size).to(device)
        fake_images = G(z)
        g_loss = criterion(D(fake_images), real_labels)
        reset_grad()
        g_loss.backward()
        g_optimizer.step()
    print('Epoch [{}/{}], d_loss: {:.4f}, g_loss: {:.4f}, D(x): {:.2f}, D(G(z)): {:.2f}'.format(
        epoch, num_epochs, d_loss.item(), g_loss.item(),
        real_score.mean().item(), fake_score.mean().item()))
print(denorm(fake_images.reshape(batch_size, 1, 8, 8))[0, 0, 0])
